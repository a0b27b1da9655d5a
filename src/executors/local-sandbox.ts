// The local executor's sandbox: the namespaces that isolate a job here, and the PID-1 script that hides paths from it.
import { spawnSync } from 'node:child_process';

/**
 * PID 1 of a sandboxed job. Arguments: a private root and the one folder under it to keep (both '' for none), the
 * number of read-only paths and the paths, the number of hidden paths and the paths, then the job's argv. In the
 * job's own mount namespace, the private root is replaced by an empty tmpfs holding only the kept folder (other
 * experiments' run folders disappear), read-only paths are bound read-only, a hidden folder gets an empty tmpfs over
 * it and a hidden file /dev/null. The job then runs without any capability (`setpriv`, when present), so even as
 * root it cannot unmount or remount what hides and protects those paths.
 */
const INIT_SCRIPT = [
  'root=$1; keep=$2; shift 2',
  'if [ -n "$root" ] && [ -d "$root" ] && [ -d "$keep" ]; then',
  '  stage=$(mktemp -d) || exit 125',
  '  mount --bind "$keep" "$stage" && mount -t tmpfs -o mode=755 groundwork-private "$root" &&',
  '    mkdir -p "$keep" && mount --move "$stage" "$keep" || exit 125',
  '  rmdir "$stage"',
  'fi',
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do',
  '  if [ -e "$1" ]; then mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 125; fi',
  '  shift; n=$((n-1))',
  'done',
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do',
  '  if [ -d "$1" ]; then mount -t tmpfs -o size=4k,mode=0 groundwork-hidden "$1" || exit 125;',
  '  elif [ -e "$1" ]; then mount --bind /dev/null "$1" || exit 125; fi',
  '  shift; n=$((n-1))',
  'done',
  'if command -v setpriv >/dev/null 2>&1; then',
  '  setpriv --bounding-set=-all --inh-caps=-all --no-new-privs -- "$@"; status=$?',
  'else "$@"; status=$?; fi',
  'exit $status',
].join('\n');

/**
 * The full argv of a job under an isolation prefix; where the prefix has a mount namespace, `readOnly` paths are
 * made read-only, `hidden` ones invisible, and of `private.root` only `private.keep` is left.
 */
export function withIsolation(
  prefix: readonly string[],
  paths: {
    readOnly: readonly string[];
    hidden: readonly string[];
    private?: { root: string; keep: string } | undefined;
  },
  command: readonly string[],
) {
  return prefix.at(-1) === 'groundwork-job'
    ? [
        ...prefix,
        paths.private?.root ?? '',
        paths.private?.keep ?? '',
        String(paths.readOnly.length),
        ...paths.readOnly,
        String(paths.hidden.length),
        ...paths.hidden,
        ...command,
      ]
    : [...prefix, ...command];
}

/**
 * The argv prefix that isolates a job, or undefined if none works here. Best: new network, PID and mount
 * namespaces with their own /proc, so the job has no network, cannot read other processes (such as this
 * daemon's environment through /proc/<ppid>/environ), and everything it starts, detached or not, dies with it.
 */
export function detectIsolation(): string[] | undefined {
  const sandbox = ['--net', '--pid', '--fork', '--mount-proc', '--kill-child'];
  for (const prefix of [
    ['unshare', ...sandbox],
    ['unshare', '--user', '--map-root-user', ...sandbox],
    ['unshare', '--net'],
    ['unshare', '--user', '--map-root-user', '--net'],
  ]) {
    const probe = spawnSync(prefix[0] as string, [...prefix.slice(1), 'true'], { stdio: 'ignore', timeout: 5000 });
    if (probe.status !== 0) continue;
    // PID 1 of a namespace ignores SIGTERM unless it handles it: keep a shell as PID 1 so the job itself is
    // an ordinary process that a stop request reaches (the shell must not exec it, hence the status line).
    // The shell first hides the job's `hidden` paths in its private mount namespace (see `withIsolation`).
    return prefix.includes('--pid') ? [...prefix, '/bin/sh', '-c', INIT_SCRIPT, 'groundwork-job'] : prefix;
  }
  return undefined;
}
