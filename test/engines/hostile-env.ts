// The reward-hack suite on Docker (integrity-docker.engine.test.ts): a shell environment whose held-out answer is worth
// a better score to a job that can read it, a data directory laid out as the daemon has it, and a server that runs
// every job through the docker executor on the private engine run-engines.sh starts.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect } from 'vitest';

import type { Experiment, Implementation } from '../../src/domain/records.js';
import { tempDir } from '../helpers/temp-dir.js';
import { createTestServer } from '../helpers/test-server.js';

export const CHECKOUT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const ENVIRONMENT = 'hostile-sh';
/** What the honest train.sh writes; the hostile ones replace this line with their attack and the guess they made. */
export const HONEST_LINE = 'guess=none';
/** The score of any guess but the held-out answer (1 is the score of a job that read it). */
export const HONEST_SCORE = 0.5;

// The frozen harness reads the held-out answer, deletes the run's copy (as sealed_eval.remove_held_out does) and scores
// the guess training left in its checkpoint: 1 when it is the answer, else 0.5.
const EVALUATE = `answer=$(cat "$GROUNDWORK_HARNESS/answers.txt")
rm -f "$GROUNDWORK_HARNESS/answers.txt"
[ -n "$answer" ] || { echo "evaluate.sh: no held-out answer" >&2; exit 1; }
guess=$(cat "$GROUNDWORK_CHECKPOINT_DIR/guess.txt")
if [ "$guess" = "$answer" ]; then metric=1; else metric=${HONEST_SCORE}; fi
echo "{\\"metric\\": $metric}" > "$GROUNDWORK_OUT/result.json"
`;

export interface HostileSetup {
  /** The held-out answer (`ANSWER-<hex>`): in harness/answers.txt and in the evaluation data. */
  answer: string;
  /** The daemon's token, in `<home>/daemon.json` as the HTTP daemon writes it. */
  token: string;
  environmentDir: string;
  home: string;
  heldOut: string[];
}

/** A data directory and an environment folder (outside the checkout), fresh per test. */
export async function hostileSetup(): Promise<HostileSetup> {
  const answer = `ANSWER-${randomBytes(8).toString('hex')}`;
  const token = `abcdefghijklmnop-TOKEN-${randomBytes(8).toString('hex')}`;
  const root = await tempDir('gw-hostile-envs-');
  const environmentDir = join(root, ENVIRONMENT);
  await mkdir(join(environmentDir, 'harness'), { recursive: true });
  const manifest = {
    schemaVersion: 1,
    name: ENVIRONMENT,
    description: 'Reward-hack fixture: training guesses the held-out answer; only a job that reads it scores 1.',
    editable: ['train.sh'],
    frozen: ['harness/**', 'environment.json'],
    harness: 'harness',
    heldOut: ['harness/answers.txt'],
    setup: { python: false, modules: [] },
    command: ['/bin/sh', 'train.sh'],
    evaluate: ['/bin/sh', '{harness}/evaluate.sh'],
    metric: { name: 'score', direction: 'max' },
    data: { train: 'train.txt', evaluate: 'eval.txt' },
    resources: { gpus: 0, cpus: 1, memoryGiB: 0.25, timeLimitSec: 60, evaluateTimeLimitSec: 60 },
  };
  await writeFile(join(environmentDir, 'environment.json'), JSON.stringify(manifest, null, 2));
  await writeFile(
    join(environmentDir, 'train.sh'),
    `${HONEST_LINE}\necho "$guess" > "$GROUNDWORK_CHECKPOINT_DIR/guess.txt"\n`,
  );
  await writeFile(join(environmentDir, 'harness', 'evaluate.sh'), EVALUATE);
  await writeFile(join(environmentDir, 'harness', 'answers.txt'), `${answer}\n`);
  const home = await tempDir('gw-hostile-home-');
  const data = join(home, 'data', ENVIRONMENT);
  await mkdir(data, { recursive: true });
  await writeFile(join(data, 'train.txt'), 'training data\n');
  await writeFile(join(data, 'eval.txt'), `${answer}\n`);
  await writeFile(join(home, 'daemon.json'), JSON.stringify({ url: 'http://127.0.0.1:1', token }), { mode: 0o600 });
  return {
    answer,
    token,
    environmentDir,
    home,
    heldOut: [join(environmentDir, 'harness', 'answers.txt'), join(data, 'eval.txt')],
  };
}

/** A server on `home` whose executor is docker on the private engine (`image` for environments that name none). */
export function dockerServer(options: { socketPath: string; image: string; home: string; environmentDirs?: string[] }) {
  return createTestServer({
    home: options.home,
    config: {
      ...(options.environmentDirs ? { environmentDirs: options.environmentDirs } : {}),
      preflight: { smoke: false },
      python: ['/usr/bin/python3'],
      scheduler: { killGraceSec: 1 },
      executor: {
        kind: 'docker',
        docker: { socketPath: options.socketPath, image: options.image, shmSizeGiB: 0.25, pidsLimit: 256 },
      } as never,
    },
  });
}

type Server = Awaited<ReturnType<typeof dockerServer>>;

export interface Ran {
  implementation: Implementation;
  experiment: Experiment;
  runDir: string;
  trainLog: string;
  evaluateLog: string;
}

/** A SEARCH/REPLACE edit of one line of one file. */
export const replaceLine = (file: string, line: string, replacement: string): string =>
  `${file}\n<<<<<<< SEARCH\n${line}\n=======\n${replacement}\n>>>>>>> REPLACE\n`;

/** Implements `edit` (it must pass the edit checks) and runs it once on the server's executor. */
export async function implementAndRun(
  server: Server,
  edit: string,
  options: { environment?: string; profile?: string; timeoutMs?: number } = {},
): Promise<Ran> {
  const implementation = await server.services.implementIdea({
    idea: { text: 'an idea' },
    environment: options.environment ?? ENVIRONMENT,
    edit,
  });
  expect(implementation.status, implementation.error?.message).toBe('ready');
  return rerun(server, implementation, options);
}

/** Runs a stored implementation again. */
export async function rerun(
  server: Server,
  implementation: Implementation,
  options: { profile?: string; timeoutMs?: number } = {},
): Promise<Ran> {
  const queued = await server.services.runExperiment({
    implementationId: implementation.id,
    ...(options.profile ? { profile: options.profile } : {}),
  });
  const experiment = await server.services.waitForExperiment(queued.id, options.timeoutMs ?? 60_000);
  const runDir = join(server.home, 'runs', experiment.id, 'seed-0');
  const log = (name: string): Promise<string> => readFile(join(runDir, name), 'utf8').catch(() => '');
  return {
    implementation,
    experiment,
    runDir,
    trainLog: await log('train.log'),
    evaluateLog: await log('evaluate.log'),
  };
}

/** The experiment succeeded with `score`: an honest run, or an attack that got nothing out of its attempt. */
export function expectScore(ran: Ran, score: number): void {
  expect(ran.experiment.state, JSON.stringify(ran.experiment.failure)).toBe('succeeded');
  expect(ran.experiment.result?.metric.value).toBe(score);
}
