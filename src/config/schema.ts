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
      concurrency: z.number().int().positive().default(1),
      /** Seconds between SIGTERM and SIGKILL when stopping a job. */
      killGraceSec: z.number().positive().default(5),
    })
    .default({ concurrency: 1, killGraceSec: 5 }),
  executor: z
    .object({
      kind: z.enum(['local']).default('local'),
      /** Run jobs without network (Linux network namespace). `auto`: when unshare is available. */
      isolateNetwork: z.enum(['auto', 'required', 'off']).default('auto'),
    })
    .default({ kind: 'local', isolateNetwork: 'auto' }),
  preflight: z
    .object({
      /** Run the environment's smoke profile before the real run. */
      smoke: z.boolean().default(true),
    })
    .default({ smoke: true }),
  /** Model providers for ideation and implementation, limits, prices (see llm-schema.ts). */
  llm: LlmConfig.prefault({}),
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
