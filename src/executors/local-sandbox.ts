// The local executor's sandbox: the bubblewrap (bwrap) argv that shows a job only its own paths, and its probes.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** What a job may see besides the system: the paths of its JobSpec. */
export interface SandboxPaths {
  writable: readonly string[];
  readOnly: readonly string[];
  hidden: readonly string[];
  private?: { root: string; keep: string } | undefined;
  /** GPU jobs get the NVIDIA device nodes as well as the minimal /dev. */
  gpu: boolean;
}

/** System folders shown read-only (a merged-/usr symlink such as /bin → usr/bin is recreated as the symlink). */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/**
 * What of /etc a job sees: the dynamic loader's cache, Debian's alternatives (libblas.so.3 points through them),
 * user and host names, time zone, certificates and Python's own settings. Not shadow, ssh keys, sudoers, apt or
 * anything else in it.
 */
const ETC_ENTRIES = [
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'alternatives',
  'passwd',
  'group',
  'nsswitch.conf',
  'host.conf',
  'hosts',
  'localtime',
  'timezone',
  'os-release',
  'debian_version',
  'mime.types',
  'ssl/certs',
  'ca-certificates',
  'fonts',
  'gai.conf',
  'protocols',
  'services',
];

const inside = (path: string, folder: string): boolean => {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};
const depth = (path: string): number => path.split(sep).filter(Boolean).length;
const unique = (paths: readonly string[]): string[] => [...new Set(paths.map((path) => resolve(path)))];
const isSystem = (path: string): boolean => SYSTEM_DIRS.some((dir) => inside(path, dir));

/** The read-only system view: /usr and friends, a part of /etc, a new /proc, a minimal /dev, /sys, a private /tmp. */
function systemArgs(gpu: boolean): string[] {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    const stats = lstatOrUndefined(dir);
    if (stats?.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else if (stats?.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  for (const entry of ETC_ENTRIES) args.push('--ro-bind-try', `/etc/${entry}`, `/etc/${entry}`);
  for (const entry of safeList('/etc')) {
    if (/^python3(\.\d+)?$/.test(entry)) args.push('--ro-bind-try', `/etc/${entry}`, `/etc/${entry}`);
  }
  // Without /sys, torch (through OpenMP) sees one CPU and runs one thread.
  args.push('--proc', '/proc', '--dev', '/dev', '--ro-bind-try', '/sys', '/sys', '--tmpfs', '/tmp');
  if (gpu) {
    for (const entry of safeList('/dev')) {
      if (entry.startsWith('nvidia')) args.push('--dev-bind-try', `/dev/${entry}`, `/dev/${entry}`);
    }
  }
  return args;
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The job's own mounts, parents before children: read-only and writable paths at their own paths (read-only wins
 * where a path is both), `private.keep` alone of `private.root`, then `hidden` paths covered where a mount shows them.
 * `keep` is writable unless the spec names writable paths inside it: then only those are (a run folder's logs stay
 * out of the job's reach while its workspace does not).
 */
function jobArgs(paths: SandboxPaths): string[] {
  const readOnly = unique(paths.readOnly);
  const writable = unique(paths.writable).filter((path) => !readOnly.includes(path));
  const ops: { path: string; order: number; args: string[] }[] = [];
  for (const path of readOnly) ops.push({ path, order: 1, args: ['--ro-bind-try', path, path] });
  for (const path of writable) ops.push({ path, order: 1, args: ['--bind-try', path, path] });
  const mounted = [...readOnly, ...writable];
  if (paths.private) {
    const root = resolve(paths.private.root);
    const keep = resolve(paths.private.keep);
    // Where a mount already shows the shared folder, an empty tmpfs replaces it before the kept folder goes back.
    if (mounted.some((path) => inside(root, path) && path !== keep)) {
      ops.push({ path: root, order: 0, args: ['--tmpfs', root] });
    }
    if (!mounted.includes(keep)) {
      const keepWritable = !writable.some((path) => inside(path, keep));
      ops.push({ path: keep, order: 0, args: [keepWritable ? '--bind-try' : '--ro-bind-try', keep, keep] });
    }
    mounted.push(keep);
  }
  ops.sort((a, b) => depth(a.path) - depth(b.path) || a.order - b.order);
  const args = ops.flatMap((op) => op.args);
  for (const path of unique(paths.hidden)) {
    if (!mounted.some((folder) => inside(path, folder))) continue; // never mounted: invisible anyway
    const stats = statOrUndefined(path);
    if (stats?.isDirectory()) args.push('--tmpfs', path, '--remount-ro', path);
    else if (stats) args.push('--ro-bind', '/dev/null', path);
  }
  return args;
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The full argv of a job under bubblewrap. Namespaces: user (where it can), PID, IPC, UTS, network (only loopback)
 * and cgroup; no capabilities; its own session (no terminal injection); it dies with the daemon.
 */
export function bwrapArgv(bwrap: string, paths: SandboxPaths, cwd: string, command: readonly string[]): string[] {
  return [
    bwrap,
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--hostname',
    'groundwork-job',
    ...systemArgs(paths.gpu),
    ...jobArgs(paths),
    '--remount-ro',
    '/',
    '--chdir',
    resolve(cwd),
    '--',
    ...command,
  ];
}

/** Whether bubblewrap runs here with the full sandbox: undefined when it does, else why not. */
export function probeBwrap(bwrap: string): string | undefined {
  const argv = bwrapArgv(bwrap, { writable: [], readOnly: [], hidden: [], gpu: false }, '/', ['true']);
  const probe = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', timeout: 10_000, env: {} });
  if (probe.error) {
    const code = (probe.error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${bwrap} is not installed` : `${bwrap} could not start: ${probe.error.message}`;
  }
  if (probe.status === 0) return undefined;
  return `${bwrap} exited with ${probe.status ?? probe.signal}: ${(probe.stderr || '').trim().split('\n')[0] ?? ''}`;
}

const PYTHON_PROBE =
  'import json, sys; print(json.dumps({"executable": sys.executable, "prefixes": [sys.prefix, sys.base_prefix, ' +
  'sys.exec_prefix, sys.base_exec_prefix], "path": [p for p in sys.path if p]}))';

/** An interpreter outside the system folders (pyenv, conda, a venv): the real executable and what it must read. */
export interface PythonView {
  executable: string;
  readOnly: string[];
}

/** Where `command` is found on `path` (the job's PATH), as the job's own lookup would find it. */
function which(command: string, path: string | undefined): string | undefined {
  if (isAbsolute(command)) return command;
  if (command.includes('/')) return undefined;
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/**
 * For a job whose command starts with a Python interpreter that lives outside the system folders: its real
 * executable (a pyenv shim resolved to the interpreter it runs) and its prefixes and library folders, to show
 * read-only. Undefined for anything else (it runs as given). Top-level folders (/root, /home) are never shown whole.
 */
export function pythonView(command: string, env: Record<string, string>): PythonView | undefined {
  if (!/^python[0-9.]*$/.test(command.split('/').pop() ?? '')) return undefined;
  const found = which(command, env.PATH);
  if (!found) return undefined;
  let real: string;
  try {
    real = realpathSync(found);
  } catch {
    return undefined;
  }
  if (isSystem(found) && isSystem(real)) return undefined;
  const probe = spawnSync(found, ['-I', '-c', PYTHON_PROBE], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: env.PATH ?? '/usr/bin:/bin' },
  });
  if (probe.status !== 0) return undefined;
  const info = JSON.parse(probe.stdout) as { executable: string; prefixes: string[]; path: string[] };
  const executable = info.executable || real;
  const wanted = [...info.prefixes, ...info.path, dirname(realpathOr(executable))];
  const readOnly: string[] = [];
  for (const path of unique(wanted).sort((a, b) => depth(a) - depth(b))) {
    if (depth(path) < 2 || isSystem(path) || !existsSync(path)) continue;
    if (!readOnly.some((folder) => inside(path, folder))) readOnly.push(path);
  }
  return { executable, readOnly };
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * With the sandbox off: the argv prefix that still gives a job a network namespace of its own (`unshare --net`),
 * or undefined if none works here.
 */
export function detectNetworkIsolation(): string[] | undefined {
  for (const prefix of [
    ['unshare', '--net'],
    ['unshare', '--user', '--map-root-user', '--net'],
  ]) {
    const probe = spawnSync(prefix[0] as string, [...prefix.slice(1), 'true'], { stdio: 'ignore', timeout: 5000 });
    if (probe.status === 0) return prefix;
  }
  return undefined;
}

/**
 * @deprecated For tests written against the former `unshare` sandbox: a list ending in `groundwork-job` when jobs
 * can have paths hidden from them (bubblewrap runs here), else undefined. Use `probeBwrap`.
 */
export function detectIsolation(): string[] | undefined {
  return probeBwrap('bwrap') === undefined ? ['bwrap', 'groundwork-job'] : undefined;
}
