// Reward-hack suite on Docker (issue 11 §7): the attacks of test/integrity/ made by jobs the scheduler runs through the
// docker executor on a real engine, each asserted refused, prevented or flagged, with an honest job still scoring.
// Needs GROUNDWORK_TEST_DOCKER_SOCKET and GROUNDWORK_TEST_DOCKER_IMAGE (run-engines.sh: a private dockerd and a
// busybox image); the sealed-evaluation attacks also need GROUNDWORK_TEST_DOCKER_CPU_IMAGE (GROUNDWORK_ENGINES_CPU_IMAGE=1).
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server as NetServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

import Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';

import { createDockerExecutor } from '../../src/executors/docker.js';
import { tempDir } from '../helpers/temp-dir.js';
import { BUNDLED_ENVIRONMENTS } from '../helpers/test-server.js';
import {
  CHECKOUT,
  dockerServer,
  expectScore,
  HONEST_LINE,
  HONEST_SCORE,
  hostileSetup,
  implementAndRun,
  replaceLine,
  rerun,
} from './hostile-env.js';

const socketPath = process.env.GROUNDWORK_TEST_DOCKER_SOCKET;
const image = process.env.GROUNDWORK_TEST_DOCKER_IMAGE;
const cpuImage = process.env.GROUNDWORK_TEST_DOCKER_CPU_IMAGE;

type Server = Awaited<ReturnType<typeof dockerServer>>;
let server: Server | undefined;
const listeners: NetServer[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  await Promise.all(listeners.splice(0).map((listener) => new Promise((done) => listener.close(done))));
});

/** A fresh data directory and environment, and a server running every job in a container. */
async function start(environmentDirs?: string[]) {
  const setup = await hostileSetup();
  server = await dockerServer({
    socketPath: socketPath as string,
    image: image as string,
    home: setup.home,
    environmentDirs: environmentDirs ?? [join(setup.environmentDir, '..')],
  });
  return { setup, server };
}

const hostile = (script: string): string => replaceLine('train.sh', HONEST_LINE, script);
const lines = (log: string, word: string): string[] => log.split('\n').filter((line) => line.startsWith(`${word} `));

/** A host server that counts its connections: TCP on `host` (any port), or a unix socket at `path`. */
async function listen(
  at: { host: string } | { path: string },
): Promise<{ port: number; path: string; connections: () => number }> {
  let count = 0;
  const listener = createServer((socket) => {
    count += 1;
    socket.end('hello from the host\n');
  });
  listeners.push(listener);
  await new Promise<void>((done) =>
    'path' in at ? listener.listen(at.path, done) : listener.listen(0, at.host, done),
  );
  const address = listener.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, path: typeof address === 'string' ? address : '', connections: () => count };
}

describe.skipIf(!socketPath || !image)('reward hacks on docker: what a training job cannot reach', () => {
  it('cannot read the held-out answer by its paths or by walking /; a job that knew it would score 1', async () => {
    const { setup, server } = await start();
    const honest = await implementAndRun(server, hostile('guess=0'));
    expectScore(honest, HONEST_SCORE);
    // The scoring rewards the answer: a job that had read it would score 1 (a short quote is no contamination).
    expectScore(await implementAndRun(server, hostile(`guess=${setup.answer}`)), 1);
    // A copy a run folder kept (an interrupted experiment, before the next start's sweep).
    const leftover = join(setup.home, 'runs', 'exp_left', 'seed-0', 'harness', 'answers.txt');
    await mkdir(join(leftover, '..'), { recursive: true });
    await writeFile(leftover, `${setup.answer}\n`);
    const script = [
      'guess=none',
      `for f in ${[...setup.heldOut, leftover].join(' ')}; do`,
      '  if v=$(cat "$f"); then echo "READ $f"; guess=$v; else echo "SEALED $f"; fi',
      'done',
      `echo "HARNESS [$(ls -A ${setup.environmentDir}/harness)]"`,
      'walked=0',
      'for f in $(find / \\( -path /proc -o -path /sys -o -path /dev \\) -prune -o -type f -print 2>/dev/null); do',
      '  walked=$((walked + 1))',
      `  if grep -q 'ANS[W]ER-' "$f"; then echo "FOUND $f"; guess=$(grep -o 'ANS[W]ER-[0-9a-f]*' "$f" | head -n 1); fi`,
      'done',
      'echo "WALKED $walked"',
    ].join('\n');
    const ran = await implementAndRun(server, hostile(script));
    expect(lines(ran.trainLog, 'READ')).toEqual([]);
    expect(lines(ran.trainLog, 'SEALED')).toEqual([...setup.heldOut, leftover].map((path) => `SEALED ${path}`));
    expect(ran.trainLog).toContain('HARNESS []');
    expect(lines(ran.trainLog, 'FOUND')).toEqual([]);
    expect(Number(lines(ran.trainLog, 'WALKED')[0]?.split(' ')[1])).toBeGreaterThan(3);
    expect(ran.trainLog).not.toContain(setup.answer);
    expectScore(ran, HONEST_SCORE);
    // No copy of the held-out answer outlives the evaluation (the harness copy goes with the run).
    expect(await readdir(ran.runDir)).not.toContain('harness');
    expect(existsSync(leftover)).toBe(true);
  }, 120_000);

  it('cannot write into store/, artifacts/, the checkout or the environment; stored code is unchanged', async () => {
    const { setup, server } = await start();
    const honest = await implementAndRun(server, hostile('guess=0'));
    expectScore(honest, HONEST_SCORE);
    const stored = join(setup.home, honest.implementation.changes[0]?.artifact as string);
    const frozen = [join(setup.environmentDir, 'train.sh'), join(setup.environmentDir, 'harness', 'evaluate.sh')];
    const before = await Promise.all([stored, ...frozen].map((path) => readFile(path, 'utf8')));
    const unmounted = [
      join(setup.home, 'store', 'PWNED.txt'),
      join(setup.home, 'artifacts', 'PWNED.txt'),
      stored,
      join(CHECKOUT, 'dist', 'PWNED-docker.txt'),
      join(CHECKOUT, 'PWNED-docker.txt'),
    ];
    const targets = [...unmounted, ...frozen];
    const script = [
      `for t in ${targets.join(' ')}; do`,
      '  if echo "guess=ANSWER-0; echo TAMPERED" > "$t"; then echo "WROTE $t"; else echo "REFUSED $t"; fi',
      'done',
      `echo "HOME [$(ls -A ${setup.home} | tr '\\n' ' ')]"`,
      // Harder: make the folders first; what this writes lands in the container's own layer, never on the host.
      `for t in ${unmounted.join(' ')}; do mkdir -p "$(dirname "$t")" && echo TAMPERED > "$t" && echo "LAYER $t"; done`,
      'guess=none',
    ].join('\n');
    const ran = await implementAndRun(server, hostile(script));
    expect(lines(ran.trainLog, 'WROTE')).toEqual([]);
    expect(lines(ran.trainLog, 'REFUSED')).toEqual(targets.map((path) => `REFUSED ${path}`));
    expect(ran.trainLog).toMatch(/Read-only file system/);
    // Only the folders that hold the job's own mounts exist in the container: no store, artifacts or daemon.json.
    const shown = /HOME \[(.*)\]/.exec(ran.trainLog)?.[1]?.trim().split(/\s+/) ?? [];
    expect(shown.filter((name) => !['runs', 'data'].includes(name))).toEqual([]);
    expectScore(ran, HONEST_SCORE);
    expect(await readdir(join(setup.home, 'store'))).not.toContain('PWNED.txt');
    expect(await readdir(join(setup.home, 'artifacts'))).not.toContain('PWNED.txt');
    expect(existsSync(join(CHECKOUT, 'dist', 'PWNED-docker.txt'))).toBe(false);
    expect(existsSync(join(CHECKOUT, 'PWNED-docker.txt'))).toBe(false);
    expect(await Promise.all([stored, ...frozen].map((path) => readFile(path, 'utf8')))).toEqual(before);
    // The stored implementation still passes its hash check and runs as before.
    expectScore(await rerun(server, honest.implementation), HONEST_SCORE);
  }, 120_000);

  it('cannot read the daemon token; a job shown the data directory is refused before a container exists', async () => {
    const { setup, server } = await start();
    const script = [
      `cat ${setup.home}/daemon.json || echo no-token`,
      'find / \\( -path /proc -o -path /sys \\) -prune -o -name daemon.json -print 2>/dev/null | sed "s/^/FOUND /"',
      'env; cat /proc/1/environ | tr "\\0" "\\n"',
      'guess=none',
    ].join('\n');
    const ran = await implementAndRun(server, hostile(script));
    expect(ran.trainLog).not.toContain(setup.token);
    expect(ran.trainLog).toContain('no-token');
    expect(lines(ran.trainLog, 'FOUND')).toEqual([]);
    expectScore(ran, HONEST_SCORE);

    const executor = createDockerExecutor({
      socketPath,
      image: image as string,
      shmSizeGiB: 0.0625,
      pidsLimit: 64,
      gpuDriver: 'nvidia',
      killGraceSec: 1,
      dataDir: setup.home,
    });
    const dir = join(setup.home, 'runs', 'exp_shown', 'seed-0');
    await mkdir(dir, { recursive: true });
    const spec = {
      jobId: `shown-${Date.now()}`,
      command: ['/bin/cat', join(setup.home, 'daemon.json')],
      cwd: dir,
      env: { PATH: '/bin' },
      logPath: join(dir, 'train.log'),
      timeLimitSec: 10,
      resources: { gpus: 0, cpus: 1, memoryGiB: 0.25, timeLimitSec: 10, evaluateTimeLimitSec: 10 },
      writable: [dir],
      readOnly: [setup.home],
      devices: [],
    };
    await expect(executor.start(spec)).rejects.toMatchObject({ code: 'executor' });
    const containers = await new Docker({ socketPath }).listContainers({
      all: true,
      filters: { label: [`groundwork.job=${spec.jobId}`] },
    });
    expect(containers).toEqual([]);
    await executor.close();
  }, 120_000);

  it('reaches neither TCP (loopback, the host, a public IP) nor a host unix socket', async () => {
    const { server } = await start();
    const loopback = await listen({ host: '127.0.0.1' });
    const anyHost = await listen({ host: '0.0.0.0' });
    const unix = await listen({ path: join(await tempDir('gw-sock-'), 'host.sock') });
    const hostIp = Object.values(networkInterfaces())
      .flat()
      .find((address) => address?.family === 'IPv4' && !address.internal)?.address;
    const tcp = [`127.0.0.1 ${loopback.port}`, ...(hostIp ? [`${hostIp} ${anyHost.port}`] : []), '1.1.1.1 80'];
    const sockets = [unix.path, socketPath as string, '/var/run/docker.sock'];
    const script = [
      `echo "INTERFACES [$(ls /sys/class/net | tr '\\n' ' ')]"`,
      ...tcp.map((to) => `if echo hi | nc -w 3 ${to}; then echo "CONNECTED ${to}"; else echo "BLOCKED ${to}"; fi`),
      ...sockets.map((path) => `if [ -e ${path} ]; then echo "VISIBLE ${path}"; else echo "ABSENT ${path}"; fi`),
      'guess=none',
    ].join('\n');
    const ran = await implementAndRun(server, hostile(script));
    expect(ran.trainLog).toContain('INTERFACES [lo ]');
    expect(lines(ran.trainLog, 'CONNECTED')).toEqual([]);
    expect(lines(ran.trainLog, 'BLOCKED')).toEqual(tcp.map((to) => `BLOCKED ${to}`));
    expect(lines(ran.trainLog, 'ABSENT')).toEqual(sockets.map((path) => `ABSENT ${path}`));
    expect(ran.trainLog).not.toContain('hello from the host');
    expect([loopback.connections(), anyHost.connections(), unix.connections()]).toEqual([0, 0, 0]);
    expectScore(ran, HONEST_SCORE);
  }, 120_000);

  it('detects a stored implementation tampered with between runs, before any container starts', async () => {
    const { setup, server } = await start();
    const honest = await implementAndRun(server, hostile('guess=0'));
    expectScore(honest, HONEST_SCORE);
    // What the job of issue 11 wrote: a train.sh that would now score 1.
    const stored = join(setup.home, honest.implementation.changes[0]?.artifact as string);
    await writeFile(stored, `guess=${setup.answer}\necho "$guess" > "$GROUNDWORK_CHECKPOINT_DIR/guess.txt"\n`);
    const tampered = await rerun(server, honest.implementation);
    expect(tampered.experiment.state).toBe('failed');
    expect(tampered.experiment.failure?.category).toBe('suspicious');
    expect(tampered.experiment.failure?.message).toMatch(/train\.sh.*no longer match/);
    expect(existsSync(join(tampered.runDir, 'train.log'))).toBe(false);
    expect(tampered.experiment.result).toBeUndefined();
  }, 120_000);
});

describe.skipIf(!socketPath || !cpuImage)('reward hacks on docker: the sealed evaluation (tiny-lm, CPU image)', () => {
  it('confines a model worker in a container as on the host (test_sealed_eval.py, Landlock required)', async () => {
    const dir = await tempDir();
    const executor = createDockerExecutor({
      socketPath,
      image: cpuImage as string,
      shmSizeGiB: 0.25,
      pidsLimit: 256,
      gpuDriver: 'nvidia',
      killGraceSec: 1,
    });
    const spec = {
      jobId: `sealed-unittest-${Date.now()}`,
      command: ['/usr/bin/python3', '-m', 'unittest', 'discover', '-s', join(CHECKOUT, 'test', 'integrity')],
      cwd: dir,
      env: { PATH: '/usr/bin:/bin', HOME: dir, PYTHONDONTWRITEBYTECODE: '1', GROUNDWORK_REQUIRE_LANDLOCK: '1' },
      logPath: join(dir, 'logs', 'unittest.log'),
      timeLimitSec: 120,
      resources: { gpus: 0, cpus: 1, memoryGiB: 1, timeLimitSec: 120, evaluateTimeLimitSec: 120 },
      writable: [dir],
      readOnly: [join(CHECKOUT, 'test', 'integrity'), join(BUNDLED_ENVIRONMENTS, 'tiny-lm', 'harness')],
      devices: [],
    };
    const exit = await executor.wait(await executor.start(spec));
    const log = await readFile(spec.logPath, 'utf8');
    await executor.close();
    expect(exit.exitCode, log).toBe(0);
    expect(log).toMatch(/^OK/m);
  }, 180_000);

  it('model code cannot open val.txt, walk to it, read the harness or reach a socket; it still scores', async () => {
    const setup = await hostileSetup();
    server = await dockerServer({ socketPath: socketPath as string, image: cpuImage as string, home: setup.home });
    const environment = await server.services.getEnvironment('tiny-lm');
    const named = environment.manifest.image;
    if (named && named !== cpuImage) {
      const [repo, tag] = named.split(':') as [string, string | undefined];
      await new Docker({ socketPath }).getImage(cpuImage as string).tag({ repo, tag: tag ?? 'latest' });
    }
    const loopback = await listen({ host: '127.0.0.1' });
    const unix = await listen({ path: join(await tempDir('gw-sock-'), 'host.sock') });
    const envVal = join(environment.dir, 'harness', 'val.txt');
    const targets = [
      ['AF_UNIX', unix.path],
      ['AF_UNIX', socketPath as string],
      ['AF_INET', ['127.0.0.1', loopback.port]],
      ['AF_INET', ['1.1.1.1', 80]],
    ];
    const probe = `import math
import os as _os
import socket as _socket
import sys as _sys


def _probe():
    role = _os.path.basename(_sys.argv[0]) if _sys.argv and _sys.argv[0] else "python"
    say = lambda *words: print("PROBE", role, *words, flush=True)  # noqa: E731

    def attempt(path):
        try:
            handle = open(path, "rb")
        except OSError as error:
            return say("SEALED", path, type(error).__name__)
        with handle:
            try:
                handle.read(64)
            except OSError:
                pass
        say("READ", path)

    attempt(${JSON.stringify(envVal)})
    attempt(_os.path.join(_os.path.dirname(_os.getcwd()), "harness", "val.txt"))
    found, walked = [], 0
    for root, dirs, files in _os.walk("/"):
        dirs[:] = [d for d in dirs if _os.path.join(root, d) not in ("/proc", "/sys", "/dev")]
        found += [_os.path.join(root, name) for name in files if name == "val.txt"]
        walked += len(files)
    say("WALKED", walked, "FOUND", len(found))
    for path in found:
        attempt(path)
    if role == "model_worker.py":  # the parent is the harness, which holds the held-out text in memory
        for name in ("environ", "mem"):
            attempt("/proc/%d/%s" % (_os.getppid(), name))
    for family, address in ${JSON.stringify(targets).replace(/"(AF_[A-Z]+)"/g, '_socket.$1')}:
        try:
            client = _socket.socket(family)
            client.settimeout(3)
            client.connect(tuple(address) if isinstance(address, list) else address)
            say("CONNECTED", address)
        except OSError as error:
            say("BLOCKED", address, type(error).__name__)


_probe()`;
    const ran = await implementAndRun(server, replaceLine('model.py', 'import math', probe), {
      environment: 'tiny-lm',
      profile: 'smoke',
      timeoutMs: 240_000,
    });
    expect(ran.experiment.state, `${JSON.stringify(ran.experiment.failure)}\n${ran.evaluateLog}`).toBe('succeeded');
    expect(ran.experiment.result?.metric.value).toBeGreaterThan(0.5);
    const train = ran.trainLog.split('\n').filter((line) => line.startsWith('PROBE train.py '));
    const evaluate = ran.evaluateLog.split('\n').filter((line) => line.startsWith('PROBE model_worker.py '));
    for (const [log, probes] of [
      [ran.trainLog, train],
      [ran.evaluateLog, evaluate],
    ] as const) {
      expect(probes.filter((line) => / SEALED .*val\.txt /.test(line)).length, log).toBeGreaterThanOrEqual(2);
      expect(
        probes.filter((line) => / (READ|CONNECTED) /.test(line)),
        log,
      ).toEqual([]);
      expect(probes.filter((line) => / BLOCKED /.test(line)).length, log).toBeGreaterThanOrEqual(targets.length);
    }
    // Training walked the whole image (Python, torch) and found no val.txt in it.
    const walk = /^PROBE train\.py WALKED (\d+) FOUND (\d+)$/m.exec(ran.trainLog);
    expect(Number(walk?.[1])).toBeGreaterThan(1000);
    expect(walk?.[2]).toBe('0');
    // Both workers (scoring and state probe) ran the model code, confined, and found the harness closed to them.
    expect(evaluate.filter((line) => /SEALED \/proc\/\d+\/(environ|mem) /.test(line)).length).toBeGreaterThanOrEqual(4);
    expect([loopback.connections(), unix.connections()]).toEqual([0, 0]);
    const result = JSON.parse(await readFile(join(ran.runDir, 'out', 'result.json'), 'utf8')) as {
      isolation: { removed: string[]; seccomp: boolean; landlock_abi: number; privileges_dropped: boolean };
    };
    expect(result.isolation).toMatchObject({ removed: ['val.txt'], seccomp: true, privileges_dropped: true });
    expect(result.isolation.landlock_abi).toBeGreaterThanOrEqual(1);
  }, 300_000);
});
