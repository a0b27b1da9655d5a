// `groundwork export ID --git REPO`: the winning diff committed on a new branch; work tree and current branch untouched.
import { ResearchError } from '../domain/errors.js';
import { type Command, GLOBAL_USAGE, parseCommandArgs } from './command.js';
import { withServer } from './open-server.js';

const usage = `Usage: groundwork export EXPERIMENT_OR_SEARCH_ID --git REPO [--branch B] [--json]

Creates branch B (default groundwork/<experiment id>) in the git repository REPO holding one commit: the
experiment's diff on top of the commit the environment was made from. The message holds the idea, the
measured metric with its seeds and the baseline comparison, and the experiment id. A search id exports the
search's best experiment, if it beat the baseline. Only git plumbing is used: REPO's working tree, index and
current branch stay exactly as they are, and an existing branch is never moved.

Options:
  --git REPO     the repository to create the branch in (usually the one env init was given)
  --branch B     branch name (default groundwork/<experiment id>)
  --json         print JSON
${GLOBAL_USAGE}`;

export const exportCommand: Command = {
  name: 'export',
  summary: 'commit a winning experiment to a new branch of your git repository',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { git: { type: 'string' }, branch: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    if (values.help) {
      io.stdout(usage);
      return 0;
    }
    if (positionals.length !== 1 || values.git === undefined) {
      throw new ResearchError('bad_input', `export takes one experiment or search id and --git REPO\n\n${usage}`);
    }
    const id = positionals[0] as string;
    const repo = values.git;
    return withServer(
      values,
      io.env,
      async ({ services }) => {
        const exported = await services.exportResult({ id, repo, ...(values.branch ? { branch: values.branch } : {}) });
        if (values.json) {
          io.stdout(JSON.stringify(exported, null, 2));
          return 0;
        }
        io.stdout(
          [
            `created branch ${exported.branch} in ${exported.repo}: commit ${exported.commit.slice(0, 12)} on ${exported.base.slice(0, 12)} (${exported.files.join(', ')})`,
            '',
            exported.message.replace(/^/gm, '    ').trimEnd(),
            '',
            `Your working tree and current branch are unchanged. Look at it: git -C ${exported.repo} show ${exported.branch}`,
            `Take it: git -C ${exported.repo} merge ${exported.branch}   (or cherry-pick ${exported.commit.slice(0, 12)})`,
          ].join('\n'),
        );
        return 0;
      },
      { dispatch: false },
    );
  },
};
