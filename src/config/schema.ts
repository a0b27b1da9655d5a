// One zod schema for all settings, with defaults. Resolved once by load-config.ts.
import { z } from 'zod';

import { LlmConfig } from './llm-schema.js';

export const Config = z.object({
  /** Data directory: the store, workspaces, logs, artifacts. */
  home: z.string().min(1),
  /** Folders searched for environments (each holds `<name>/environment.json`). */
  environmentDirs: z.array(z.string().min(1)).min(1),
  /** Python interpreters to try, in order; the first with the environment's modules wins. */
  python: z.array(z.string().min(1)).min(1),
  scheduler: z
    .object({
      /**
       * Most experiments without GPUs running at once. Experiments that need GPUs are bounded by the GPUs instead
       * (and, on Slurm, by the cluster's own queue, so there this bounds every experiment).
       */
      concurrency: z.number().int().positive().default(1),
      /** Seconds between SIGTERM and SIGKILL when stopping a job. */
      killGraceSec: z.number().positive().default(5),
      /**
       * GPUs jobs may use: `auto` asks `nvidia-smi` (none when it is missing), a number means ids 0..n-1, a list
       * names the ids. Each job gets its own ids; GPU jobs wait until enough are free.
       */
      gpus: z
        .union([z.literal('auto'), z.number().int().min(0), z.array(z.string().regex(/^[0-9A-Za-z:-]+$/)).min(1)])
        .default('auto'),
    })
    .default({ concurrency: 1, killGraceSec: 5, gpus: 'auto' }),
  executor: z
    .object({
      kind: z.enum(['local', 'docker', 'slurm']).default('local'),
      /**
       * With `local.sandbox: "off"` only: run jobs without network (`unshare --net`). `auto`: when unshare works.
       * Under bubblewrap jobs never have a network.
       */
      isolateNetwork: z.enum(['auto', 'required', 'off']).default('auto'),
      local: z
        .object({
          /**
           * `bwrap`: every job runs under bubblewrap (minimal read-only root, only its own run paths, no network, no
           * capabilities); where it cannot run, edited code is refused (`sandbox_unavailable`) and baselines run
           * unsandboxed. `off`: no sandbox, knowingly: jobs can read and change what this user can, and every
           * result says `sandbox: "off"`.
           */
          sandbox: z.enum(['bwrap', 'off']).default('bwrap'),
          /** The bubblewrap binary. */
          bwrapPath: z.string().min(1).default('bwrap'),
        })
        .prefault({}),
      docker: z
        .object({
          /** Docker engine socket; default: $DOCKER_HOST or /var/run/docker.sock. */
          socketPath: z.string().min(1).optional(),
          /** Image used when an environment names none. */
          image: z.string().min(1).optional(),
          shmSizeGiB: z.number().positive().default(8),
          pidsLimit: z.number().int().positive().default(4096),
          /** Container runtime for GPU jobs (`nvidia` when the NVIDIA container toolkit is set up as a runtime). */
          gpuDriver: z.string().default('nvidia'),
        })
        .prefault({}),
      slurm: z
        .object({
          /** Folder visible to this machine and every compute node; run folders are placed under it. */
          sharedDir: z.string().min(1).optional(),
          partition: z.string().min(1).optional(),
          account: z.string().min(1).optional(),
          /** Extra `sbatch` arguments, e.g. `["--qos=high"]`. */
          extraArgs: z.array(z.string()).default([]),
          /** Run the Slurm commands over ssh on this host (`user@login-node`); locally when unset. */
          sshHost: z.string().min(1).optional(),
          pollIntervalSec: z.number().positive().default(5),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Results that leap far past an environment's history are held back as `suspicious` (see learned-range.ts). */
  integrity: z
    .object({
      /** Earlier results of the same environment and profile needed before the check applies. */
      minHistory: z.number().int().min(2).default(10),
      /** A new best may beat the old best by at most this many times the spread of earlier results. */
      jumpFactor: z.number().positive().default(3),
    })
    .prefault({}),
  /** Environments made from the user's repositories (`env init`, `add_environment`). */
  environments: z
    .object({
      /** Folders under which MCP clients may add environments and export results (besides the client's MCP roots). */
      allowedRoots: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  /** Data folder of the environments (FineWeb shards, model weights): `<dataDir>/<environment name>/…`. */
  dataDir: z.string().min(1).optional(),
  preflight: z
    .object({
      /** Run the environment's smoke profile before the real run. */
      smoke: z.boolean().default(true),
    })
    .default({ smoke: true }),
  /** Model providers for ideation and implementation, limits, prices (see llm-schema.ts). */
  llm: LlmConfig.prefault({}),
  /**
   * Asking before big spends: run_experiment and run_search estimate GPU-hours (GPUs × time limit × runs) and model
   * dollars (price table); above either limit the MCP client's user is asked (elicitation), or the call needs
   * `confirm: true`.
   */
  confirm: z
    .object({
      gpuHours: z.number().min(0).default(4),
      usd: z.number().min(0).default(5),
      /** Shortest interval of a recurring search (run_search schedule); tests lower it to tick fast. */
      minScheduleIntervalSec: z.number().min(1).default(60),
    })
    .prefault({}),
  /** Keep each run's workspace and checkpoint after it ends (for debugging). */
  keepWorkspaces: z.boolean().default(false),
  /** The only variables a job inherits (PATH and locale); secrets never reach a job. */
  jobEnv: z.record(z.string(), z.string()).default({}),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** `groundwork serve`: where the daemon listens and who may talk to it. */
  http: z
    .object({
      host: z.string().min(1).default('127.0.0.1'),
      /** 0 picks a free port. */
      port: z.number().int().min(0).max(65535).default(7410),
      /** Bearer token for /mcp and /api (env GROUNDWORK_TOKEN); required when bound to a non-loopback address. */
      token: z.string().min(16, 'use a token of at least 16 characters').optional(),
      /** Extra Host header names accepted besides the loopback names and the bound address (`*`: any). */
      allowedHosts: z.array(z.string().min(1)).default([]),
      /** Extra browser origins accepted besides loopback origins, e.g. `https://dashboard.example`. */
      allowedOrigins: z.array(z.string().min(1)).default([]),
    })
    .default({ host: '127.0.0.1', port: 7410, allowedHosts: [], allowedOrigins: [] }),
});
export type Config = z.infer<typeof Config>;
