// The environment manifest (`environments/<name>/environment.json`), validated by zod.
import { z } from 'zod';

import { MetricSpec } from '../domain/metric.js';
import { own } from '../domain/own.js';
import { Source } from './source.js';

/** The profile a run uses when none is named: the manifest's own settings, with no overrides. */
export const DEFAULT_PROFILE = 'default';

const Glob = z.string().min(1);
const Command = z
  .array(z.string().min(1))
  .min(1)
  .describe(
    'argv; placeholders: {python} the resolved interpreter, {harness} the frozen harness copy, {workspace}, {out}',
  );

export const Knob = z
  .object({
    description: z.string().min(1),
    /** Editable file that holds the knob as a top-level assignment `NAME = value`. */
    file: z.string().min(1),
    variable: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a Python identifier'),
    type: z.enum(['float', 'int', 'choice']),
    default: z.union([z.number(), z.string()]),
    min: z.number().optional(),
    max: z.number().optional(),
    scale: z.enum(['linear', 'log']).optional(),
    choices: z.array(z.union([z.number(), z.string()])).optional(),
  })
  .refine((knob) => knob.type === 'choice' || (knob.min !== undefined && knob.max !== undefined), {
    message: 'numeric knobs need min and max',
  })
  .refine((knob) => knob.type !== 'choice' || (knob.choices?.length ?? 0) >= 2, {
    message: 'choice knobs need at least two choices',
  });
export type Knob = z.infer<typeof Knob>;

export const Resources = z.object({
  gpus: z.number().int().min(0).default(0),
  cpus: z.number().positive().default(1),
  memoryGiB: z.number().positive().default(4),
  timeLimitSec: z.number().int().positive(),
  /** Limit for the separate evaluation step. */
  evaluateTimeLimitSec: z.number().int().positive().default(600),
});
export type Resources = z.infer<typeof Resources>;

/**
 * Data a step may read, as paths relative to the environment's data folder (`<dataDir>/<environment name>`), which
 * lives outside the environment so gigabytes of shards are never copied into a workspace. Training sees only
 * `train` (as $GROUNDWORK_TRAIN_DATA); only the frozen evaluation sees `evaluate` (as $GROUNDWORK_EVAL_DATA).
 */
export const DataPaths = z.object({
  train: z.string().min(1).optional(),
  evaluate: z.string().min(1).optional(),
  /** What to run to prepare the data when it is missing, shown to the user. */
  hint: z.string().optional(),
});
export type DataPaths = z.infer<typeof DataPaths>;

export const Profile = z.object({
  description: z.string().optional(),
  /** Extra environment variables for both steps. */
  env: z.record(z.string(), z.string()).default({}),
  timeLimitSec: z.number().int().positive().optional(),
  /** Overrides of the environment's resources (a CPU smoke profile of a GPU environment sets `gpus: 0`). */
  resources: z
    .object({
      gpus: z.number().int().min(0).optional(),
      cpus: z.number().positive().optional(),
      memoryGiB: z.number().positive().optional(),
      evaluateTimeLimitSec: z.number().int().positive().optional(),
    })
    .optional(),
  /** Replaces the environment's data paths; `{}` for a profile that brings its own (synthetic) data. */
  data: DataPaths.optional(),
});
export type Profile = z.infer<typeof Profile>;

export const Baseline = z.object({
  value: z.number(),
  std: z.number().min(0),
  runs: z.number().int().positive(),
  profile: z.string().default(DEFAULT_PROFILE),
  measured: z.string().optional(),
});
export type Baseline = z.infer<typeof Baseline>;

export const Manifest = z.object({
  schemaVersion: z.literal(1),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
  description: z.string().min(1),
  editable: z.array(Glob).min(1),
  frozen: z.array(Glob).default([]),
  /**
   * Folder (relative to the environment) with the frozen evaluation harness and held-out data. It is never in the
   * training workspace; the evaluation step gets a fresh copy at `{harness}` / `$GROUNDWORK_HARNESS`.
   */
  harness: z
    .string()
    .regex(/^[^/.][^/]*$/, 'a top-level folder name')
    .optional(),
  /**
   * Held-out files of the environment folder (globs relative to it, inside `harness`): the harness reads them, then
   * deletes them from the run's harness copy before any code being evaluated runs (`data.evaluate` is held out too).
   */
  heldOut: z.array(Glob).default([]),
  setup: z
    .object({
      python: z.boolean().default(true),
      modules: z.array(z.string()).default([]),
      hint: z.string().optional(),
    })
    .default({ python: true, modules: [] }),
  command: Command,
  evaluate: Command.optional(),
  metric: MetricSpec,
  resources: Resources,
  /** Container image for the docker executor (built by the environment's Dockerfile or `npm run image:cpu`). */
  image: z.string().optional(),
  data: DataPaths.optional(),
  baseline: Baseline.optional(),
  profiles: z.record(z.string(), Profile).default({}),
  knobs: z.record(z.string(), Knob).default({}),
  /** Plausible metric range; results outside it are marked suspicious. */
  plausible: z.object({ min: z.number().optional(), max: z.number().optional() }).optional(),
  references: z.array(z.object({ label: z.string(), value: z.number() })).default([]),
  /** Set for environments made from a user's repository by `groundwork env init` (see source.ts). */
  source: Source.optional(),
});
export type Manifest = z.infer<typeof Manifest>;

/** What a run under one profile gets: the manifest's settings with the profile's overrides applied. */
export interface ProfileSettings {
  /** Extra environment variables for both steps. */
  env: Record<string, string>;
  resources: Resources;
  /** The data paths the run reads. */
  data: DataPaths;
}

/** The settings of `profile`, or undefined when the manifest has no such profile (`default` always exists). */
export function profileSettings(manifest: Manifest, profile: string): ProfileSettings | undefined {
  const overrides: Partial<Profile> | undefined = profile === DEFAULT_PROFILE ? {} : own(manifest.profiles, profile);
  if (!overrides) return undefined;
  return {
    env: overrides.env ?? {},
    resources: {
      ...manifest.resources,
      ...overrides.resources,
      timeLimitSec: overrides.timeLimitSec ?? manifest.resources.timeLimitSec,
    },
    data: overrides.data ?? manifest.data ?? {},
  };
}

/** The settings a run under `profile` gets; a profile the manifest no longer has runs with the defaults. */
export function runSettings(manifest: Manifest, profile: string): ProfileSettings {
  return profileSettings(manifest, profile) ?? (profileSettings(manifest, DEFAULT_PROFILE) as ProfileSettings);
}
