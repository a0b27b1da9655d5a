// Discover environments in the configured folders and validate their manifests.
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

import type { z } from 'zod';

import { ResearchError } from '../domain/errors.js';
import { Manifest } from './manifest.js';

export interface Environment {
  manifest: Manifest;
  /** Absolute path of the environment folder. */
  dir: string;
}

export interface EnvironmentListing {
  environments: Environment[];
  /** Folders whose manifest failed validation, with the reason; they are never run. */
  invalid: { dir: string; error: ResearchError }[];
}

export interface EnvironmentRegistry {
  list(): Promise<EnvironmentListing>;
  /** Throws `environment_unknown` naming the known environments. */
  get(name: string): Promise<Environment>;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `  - ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

/** A loaded manifest and the files it was read from, each with what `fileStamp` said of it then. */
interface Loaded {
  environment: Environment;
  stamps: Map<string, string>;
}

/** Manifests already read, by environment folder: read again only when one of their files changed. */
const loaded = new Map<string, Loaded>();

/** Size and modification time (ns) of a file, or `missing`: a file whose stamp is unchanged is taken as unchanged. */
async function fileStamp(path: string): Promise<string> {
  const info = await stat(path, { bigint: true }).catch(() => undefined);
  return info ? `${info.size}:${info.mtimeNs}:${info.ino}` : 'missing';
}

async function stampsOf(dir: string, manifest?: Manifest): Promise<Map<string, string>> {
  const files = [
    join(dir, 'environment.json'),
    ...Object.values(manifest?.knobs ?? {}).map((knob) => join(dir, knob.file)),
  ];
  return new Map(await Promise.all(files.map(async (file) => [file, await fileStamp(file)] as const)));
}

async function unchanged(entry: Loaded): Promise<boolean> {
  for (const [file, stamp] of entry.stamps) if ((await fileStamp(file)) !== stamp) return false;
  return true;
}

/**
 * Read and validate one `environment.json`; errors name the file and each bad field. Memoized on the size and
 * modification time of `environment.json` and of the knob files it checks, so a manifest is parsed again only when
 * one of them changed. Each call returns its own copy.
 */
export async function loadManifest(dir: string): Promise<Environment> {
  const key = resolve(dir);
  const cached = loaded.get(key);
  if (cached && (await unchanged(cached))) return structuredClone(cached.environment);
  // Stamped before reading, so a file changed while it is read is read again next time.
  const before = await stampsOf(dir);
  const environment = await readManifest(dir);
  const stamps = new Map([...before, ...(await stampsOf(dir, environment.manifest))]);
  loaded.set(key, { environment, stamps });
  return structuredClone(environment);
}

async function readManifest(dir: string): Promise<Environment> {
  const file = join(dir, 'environment.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ResearchError('manifest_invalid', `${file} is not readable JSON: ${String(error)}`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    throw new ResearchError('manifest_invalid', `${file} is invalid:\n${describeIssues(parsed.error)}`, {
      details: { file, fields: parsed.error.issues.map((issue) => issue.path.join('.')) },
    });
  }
  await checkKnobs(dir, parsed.data, file);
  return { manifest: parsed.data, dir: resolve(dir) };
}

/** Each knob must name an editable file holding exactly one `VARIABLE = …` line. */
async function checkKnobs(dir: string, manifest: Manifest, file: string): Promise<void> {
  for (const [name, knob] of Object.entries(manifest.knobs)) {
    const path = join(dir, knob.file);
    const text = existsSync(path) ? await readFile(path, 'utf8') : undefined;
    const count = text?.match(new RegExp(`^${knob.variable}\\s*=`, 'gm'))?.length ?? 0;
    if (count !== 1) {
      throw new ResearchError(
        'manifest_invalid',
        `${file} is invalid:\n  - knobs.${name}: ${knob.file} must assign ${knob.variable} exactly once at top level (found ${text === undefined ? 'no such file' : count})`,
        { details: { file, fields: [`knobs.${name}`] } },
      );
    }
  }
}

async function candidateDirs(roots: readonly string[]): Promise<string[]> {
  const dirs: string[] = [];
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const entry of await readdir(root, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(root, entry.name, 'environment.json'))) {
        dirs.push(join(root, entry.name));
      }
    }
  }
  return dirs;
}

export function createEnvironmentRegistry(roots: readonly string[]): EnvironmentRegistry {
  return {
    async list() {
      const listing: EnvironmentListing = { environments: [], invalid: [] };
      for (const dir of await candidateDirs(roots)) {
        try {
          listing.environments.push(await loadManifest(dir));
        } catch (error) {
          if (!ResearchError.is(error)) throw error;
          listing.invalid.push({ dir, error });
        }
      }
      listing.environments.sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
      return listing;
    },
    async get(name) {
      for (const root of roots) {
        const dir = join(root, name);
        if (existsSync(join(dir, 'environment.json'))) return loadManifest(dir);
      }
      const known = (await candidateDirs(roots)).map((dir) => basename(dir));
      throw new ResearchError(
        'environment_unknown',
        `unknown environment "${name}"; known: ${known.length > 0 ? known.join(', ') : '(none)'} (searched ${roots.join(', ')})`,
      );
    },
  };
}
