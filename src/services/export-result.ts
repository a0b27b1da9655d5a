// Use case: a winning experiment (or a search's best) becomes a branch in the user's repository with its diff committed.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { ResearchError } from '../domain/errors.js';
import type { Experiment } from '../domain/records.js';
import { readChangedFiles } from '../store/artifacts.js';
import { checkAllowed } from './add-environment.js';
import type { ServiceDeps } from './deps.js';
import { blobOf, type CommitFile, commitOnBranch, gitIn, treeEntry } from './git-branch.js';

export interface ExportInput {
  /** An experiment id, or a search id (its best experiment that beat the baseline). */
  id: string;
  /** The git repository to create the branch in. */
  repo: string;
  branch?: string;
}

export interface ExportResult {
  repo: string;
  branch: string;
  commit: string;
  base: string;
  experimentId: string;
  files: string[];
  message: string;
}

async function winner(deps: ServiceDeps, id: string): Promise<Experiment> {
  const experiment = await deps.store.experiments.get(id);
  if (experiment) return experiment;
  const search = await deps.store.searches.get(id);
  if (!search)
    throw new ResearchError(
      'not_found',
      `no experiment or search ${id}; use an id from run_experiment, run_search or the leaderboard`,
    );
  const done = (
    await deps.store.experiments.list(
      (e) => e.searchId === search.id && e.state === 'succeeded' && e.result !== undefined,
    )
  ).sort((a, b) => (b.result?.reward ?? 0) - (a.result?.reward ?? 0));
  const best = done[0];
  if (!best) throw new ResearchError('bad_input', `search ${search.id} has no succeeded experiment to export`);
  if (best.result?.baseline && !best.result.baseline.improved) {
    throw new ResearchError(
      'bad_input',
      `no experiment of search ${search.id} beat the baseline; its best is ${best.id} (${best.result.metric.name} ${best.result.metric.value}); export that id to take it anyway`,
    );
  }
  return best;
}

const short = (value: number): string => String(Number(value.toPrecision(6)));

function message(title: string, text: string, experiment: Experiment): string {
  const result = experiment.result;
  const lines = [title, '', ...(text.trim() && text.trim() !== title ? [text.trim(), ''] : [])];
  if (result) {
    const { metric, baseline } = result;
    const seeds = experiment.runs.filter((run) => run.state === 'succeeded').map((run) => run.seed);
    lines.push(
      `${metric.name} ${short(metric.value)}${metric.seeds > 1 ? ` ± ${short(metric.std)}` : ''} over seed(s) ${seeds.join(', ')} (profile ${experiment.profile}), measured by groundwork`,
    );
    if (baseline) {
      const delta = `${baseline.delta >= 0 ? '+' : ''}${short(baseline.delta)}`;
      const verdict = baseline.improved ? 'better' : 'not better';
      lines.push(
        `baseline ${short(baseline.value)} ± ${short(baseline.std)}: ${delta}, ${verdict}, ${baseline.beyondNoise ? 'beyond' : 'within'} noise (2 × the baseline's seed spread)`,
      );
    } else lines.push('no baseline recorded for this profile');
    if (metric.selfReported)
      lines.push(
        `self_reported: the training code printed ${metric.name} (read from its log); no frozen harness measured it`,
      );
  }
  lines.push(
    `Experiment: ${experiment.id}`,
    ...(experiment.searchId ? [`Search: ${experiment.searchId}`] : []),
    `Environment: ${experiment.environment}`,
  );
  return `${lines.join('\n')}\n`;
}

export async function exportResult(
  deps: ServiceDeps,
  input: ExportInput,
  allowedRoots?: readonly string[],
): Promise<ExportResult> {
  const repo = resolve(input.repo);
  if (allowedRoots) await checkAllowed(repo, allowedRoots, 'the repository');
  const experiment = await winner(deps, input.id);
  if (experiment.state !== 'succeeded') {
    throw new ResearchError(
      'bad_input',
      `experiment ${experiment.id} ${experiment.state}${experiment.failure ? ` (${experiment.failure.category})` : ''}; only a succeeded experiment can be exported`,
    );
  }
  const implementation = await deps.store.implementations.get(experiment.implementationId);
  const changes = implementation ? await readChangedFiles(deps.config.home, implementation) : [];
  if (!implementation || changes.length === 0)
    throw new ResearchError(
      'bad_input',
      `experiment ${experiment.id} ran the unchanged code; there is nothing to export`,
    );
  const environment = await deps.environments.get(experiment.environment);
  const source = environment.manifest.source;
  const top = await gitIn(repo, ['rev-parse', '--show-toplevel']).catch(() => {
    throw new ResearchError('bad_input', `--git ${repo} is not a git repository`);
  });
  const root = top.trim();
  const base = source?.commit ?? (await gitIn(root, ['rev-parse', 'HEAD']).catch(() => '')).trim();
  if (!base) throw new ResearchError('bad_input', `${repo} has no commit to branch from`);
  await gitIn(root, ['cat-file', '-e', `${base}^{commit}`]).catch(() => {
    throw new ResearchError(
      'bad_input',
      `commit ${base.slice(0, 12)}, the code ${environment.manifest.name} was made from, is not in ${repo}; export into that repository, or fetch the commit first`,
    );
  });
  const prefix = source?.subdir ? `${source.subdir}/` : '';
  const files: CommitFile[] = [];
  for (const change of changes) {
    const path = `${prefix}${change.path}`;
    const pristine = await readFile(join(environment.dir, change.path), 'utf8').catch(() => null);
    const entry = await treeEntry(root, base, path);
    const same =
      pristine === null
        ? entry === undefined
        : entry !== undefined && (await blobOf(root, path, pristine)) === entry.hash;
    if (!same) {
      throw new ResearchError(
        'bad_input',
        `${path} at commit ${base.slice(0, 12)} is not the file the experiment started from (uncommitted changes when the environment was made?); commit them and run env init again, or apply the diff by hand: groundwork's diff of ${experiment.id} is in the experiment's implementation ${implementation.id}`,
      );
    }
    files.push({ path, content: change.content });
  }
  const idea = await deps.store.ideas.get(experiment.ideaId);
  const text = message(idea?.title ?? experiment.ideaId, idea?.text ?? '', experiment);
  const branch = input.branch ?? `groundwork/${experiment.id}`;
  await gitIn(root, ['check-ref-format', '--branch', branch]).catch(() => {
    throw new ResearchError('bad_input', `--branch ${branch} is not a valid branch name`);
  });
  const commit = await commitOnBranch(root, base, branch, files, text);
  return {
    repo: root,
    branch,
    commit,
    base,
    experimentId: experiment.id,
    files: files.map((file) => file.path),
    message: text,
  };
}
