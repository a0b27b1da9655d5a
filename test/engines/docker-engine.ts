// A private dockerd for engine tests (own socket, data and exec roots, no bridge) and a busybox image without a registry.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import Docker from 'dockerode';

export interface PrivateDockerd {
  socketPath: string;
  pid: number;
  /** Stops the daemon (and the containers it runs); the folders under `base` stay. */
  stop(): Promise<void>;
}

/** The paths `startDockerd` and `test/engines/docker-up.sh` use under `base`. */
export function dockerdPaths(base: string) {
  return {
    socketPath: join(base, 'docker.sock'),
    dataRoot: join(base, 'data'),
    execRoot: join(base, 'exec'),
    pidFile: join(base, 'docker.pid'),
    logFile: join(base, 'dockerd.log'),
  };
}

/** True when `GET /_ping` on the socket answers OK. */
export function pingDocker(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(res.statusCode === 200 && body === 'OK'));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts dockerd as root with everything under `base` (short: a unix socket path has at most 107 bytes) and
 * networking off, so it shares neither the bridge nor iptables with any other daemon on the machine.
 */
export async function startDockerd(base: string, readyTimeoutMs = 30_000): Promise<PrivateDockerd> {
  const paths = dockerdPaths(base);
  if (Buffer.byteLength(paths.socketPath) > 100) throw new Error(`socket path too long: ${paths.socketPath}`);
  await mkdir(base, { recursive: true });
  const log = openSync(paths.logFile, 'a');
  let child;
  try {
    child = spawn(
      'dockerd',
      [
        '--host',
        `unix://${paths.socketPath}`,
        '--data-root',
        paths.dataRoot,
        '--exec-root',
        paths.execRoot,
        '--pidfile',
        paths.pidFile,
        '--bridge=none',
        '--iptables=false',
        '--ip-masq=false',
      ],
      { stdio: ['ignore', log, log], detached: true },
    );
  } finally {
    closeSync(log);
  }
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', (error) => reject(new Error(`cannot start dockerd: ${error.message}`)));
  });
  child.unref();
  const stop = async (): Promise<void> => {
    if (!isAlive(pid)) return;
    process.kill(pid, 'SIGTERM');
    for (let waited = 0; waited < 30_000 && isAlive(pid); waited += 100) await sleep(100);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (!(await pingDocker(paths.socketPath))) {
    if (!isAlive(pid) || Date.now() > deadline) {
      await stop();
      throw new Error(`dockerd did not come up on ${paths.socketPath}:\n${logTail(paths.logFile)}`);
    }
    await sleep(100);
  }
  return { socketPath: paths.socketPath, pid, stop };
}

/** Where Debian's busybox-static puts the binary (`apt-get install -y busybox-static`). */
export function findBusybox(): string | undefined {
  for (const candidate of ['/bin/busybox', '/usr/bin/busybox']) if (existsSync(candidate)) return candidate;
  return undefined;
}

/**
 * Imports a one-binary image (`docker import` of a tar over the API): /bin/busybox with a link for each of its
 * applets (sh, sleep, echo, head, tail, ...), and empty /tmp, /proc, /sys, /dev, /etc.
 */
export async function importBusybox(socketPath: string, tag: string): Promise<void> {
  const busybox = findBusybox();
  if (!busybox) throw new Error('busybox not found: apt-get install -y busybox-static');
  const applets = spawnSync(busybox, ['--list'], { encoding: 'utf8' });
  if (applets.status !== 0) throw new Error(`${busybox} --list failed: ${applets.stderr}`);
  const root = await mkdtemp(join(tmpdir(), 'groundwork-busybox-'));
  try {
    await Promise.all(['bin', 'tmp', 'proc', 'sys', 'dev', 'etc'].map((dir) => mkdir(join(root, dir))));
    await copyFile(busybox, join(root, 'bin', 'busybox'));
    for (const applet of applets.stdout.split('\n').filter((name) => /^[a-z0-9_.[-]+$/.test(name))) {
      if (applet !== 'busybox') await symlink('busybox', join(root, 'bin', applet));
    }
    if ((await readdir(join(root, 'bin'))).length < 10) throw new Error('busybox lists too few applets');
    const [repo, version] = splitTag(tag);
    const tar = spawn('tar', ['-C', root, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const docker = new Docker({ socketPath });
    const progress = await docker.importImage(tar.stdout, { repo, tag: version });
    const messages = await new Promise<{ error?: string }[]>((resolve, reject) =>
      docker.modem.followProgress(progress, (error: Error | null, output: { error?: string }[]) =>
        error ? reject(error) : resolve(output),
      ),
    );
    const failure = messages.find((message) => message.error);
    if (failure) throw new Error(`importing ${tag} failed: ${failure.error}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function splitTag(tag: string): [string, string] {
  const colon = tag.lastIndexOf(':');
  if (colon <= tag.lastIndexOf('/')) return [tag, 'latest'];
  return [tag.slice(0, colon), tag.slice(colon + 1)];
}
