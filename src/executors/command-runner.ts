// Runs cluster commands (sbatch, squeue, …) here or on a login node over ssh, behind one injectable interface.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

import { hostEnv } from '../config/host-env.js';

export interface CommandResult {
  /** The exit status; 127 when the program could not be started, 124 when it ran past the runner's timeout. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandRunner {
  /** Runs `argv` without a shell (over ssh: quoted for the remote POSIX shell), feeding `input` to its stdin. */
  run(argv: string[], options?: { input?: string }): Promise<CommandResult>;
}

export interface RunnerOptions {
  /** The environment of the commands; default: the variables of this process that Slurm and ssh need. */
  env?: Record<string, string>;
  /** A command still running after this many seconds is killed (a hung controller or ssh connection). */
  timeoutSec?: number;
}

/** What Slurm clients and ssh read from the environment; nothing else of this process (no API keys) is passed on. */
const PASSED_THROUGH = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'SLURM_CONF', 'SSH_AUTH_SOCK'];

/** Runs commands on this machine. */
export function createLocalRunner(options: RunnerOptions = {}): CommandRunner {
  const env = options.env ?? hostEnv(PASSED_THROUGH);
  const timeoutMs = (options.timeoutSec ?? 120) * 1000;
  return {
    run(argv, runOptions = {}) {
      return new Promise<CommandResult>((resolve) => {
        const [program, ...args] = argv;
        const child = spawn(program as string, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, timeoutMs);
        child.once('error', (error) => {
          clearTimeout(timer);
          resolve({ code: 127, stdout, stderr: `cannot run ${program}: ${error.message}` });
        });
        child.once('close', (code, signal) => {
          clearTimeout(timer);
          if (timedOut)
            resolve({ code: 124, stdout, stderr: `${stderr}${program} did not finish within ${timeoutMs / 1000} s` });
          else resolve({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), stdout, stderr });
        });
        // A program that exits without reading its input must not crash us with EPIPE.
        child.stdin.once('error', () => undefined);
        child.stdin.end(runOptions.input ?? '');
      });
    },
  };
}

/** One argument as a POSIX shell word: single-quoted, with each `'` written as `'\''`. */
export function shellQuote(argument: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(argument)) return argument;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

export interface SshRunnerOptions extends RunnerOptions {
  /** The ssh program; default `ssh`. */
  ssh?: string;
  /** Extra ssh options, e.g. `["-p", "2222"]` or `["-o", "ConnectTimeout=10"]`. */
  sshArgs?: string[];
}

/**
 * Runs commands on `host` (e.g. `user@login-node`) with `ssh -o BatchMode=yes host -- <quoted argv>`: ssh hands the
 * remote side one command line for the user's login shell, so every argument is quoted for a POSIX shell.
 */
export function createSshRunner(host: string, options: SshRunnerOptions = {}): CommandRunner {
  const local = createLocalRunner(options);
  const prefix = [options.ssh ?? 'ssh', '-o', 'BatchMode=yes', ...(options.sshArgs ?? []), host, '--'];
  return {
    run: (argv, runOptions) => local.run([...prefix, argv.map(shellQuote).join(' ')], runOptions),
  };
}
