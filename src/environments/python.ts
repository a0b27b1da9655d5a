// Find a Python interpreter that has the modules an environment needs, with a clear error when none does.
import { execFile } from 'node:child_process';

import { ResearchError } from '../domain/errors.js';

export interface PythonInfo {
  path: string;
  version: string;
}

const PROBE = [
  'import importlib, json, sys',
  'missing = []',
  'for name in sys.argv[1:]:',
  '    try: importlib.import_module(name)',
  '    except Exception as error: missing.append(f"{name} ({type(error).__name__}: {error})")',
  'print(json.dumps({"version": sys.version.split()[0], "executable": sys.executable, "missing": missing}))',
].join('\n');

function probe(candidate: string, modules: readonly string[]): Promise<{ info?: PythonInfo; problem: string }> {
  return new Promise((resolve) => {
    execFile(candidate, ['-c', PROBE, ...modules], { timeout: 60_000 }, (error, stdout) => {
      if (error && !stdout) {
        const code = (error as NodeJS.ErrnoException).code;
        resolve({ problem: code === 'ENOENT' ? 'not found' : (error.message.split('\n')[0] ?? 'failed') });
        return;
      }
      try {
        const result = JSON.parse(stdout) as { version: string; executable: string; missing: string[] };
        if (result.missing.length > 0) resolve({ problem: `missing ${result.missing.join(', ')}` });
        else resolve({ info: { path: candidate, version: result.version }, problem: '' });
      } catch {
        resolve({ problem: `unexpected output: ${stdout.slice(0, 200)}` });
      }
    });
  });
}

const cache = new Map<string, Promise<PythonInfo>>();

/** The first candidate that imports every module; cached per (candidates, modules). */
export function resolvePython(
  candidates: readonly string[],
  modules: readonly string[],
  hint?: string,
): Promise<PythonInfo> {
  const key = JSON.stringify([candidates, modules]);
  let found = cache.get(key);
  if (!found) {
    found = (async () => {
      const problems: string[] = [];
      for (const candidate of candidates) {
        const result = await probe(candidate, modules);
        if (result.info) return result.info;
        problems.push(`${candidate}: ${result.problem}`);
      }
      throw new ResearchError(
        'python_missing',
        `no usable Python found (needs ${modules.length > 0 ? modules.join(', ') : 'python3'}). Tried ${problems.join('; ')}. ` +
          `${hint ?? 'Install the modules'}, or set GROUNDWORK_PYTHON to an interpreter that has them.`,
      );
    })();
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}
