// What a git child process gets of this process's environment: enough to find git and the user's git settings.
import { hostEnv } from './host-env.js';

const GIT_PASSED_THROUGH = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'XDG_CONFIG_HOME',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_NOSYSTEM',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
];

/** The variables git needs (identity, config, PATH), without GIT_DIR-like ones that would point it elsewhere. */
export function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { ...hostEnv(GIT_PASSED_THROUGH), ...extra };
}
