// Syntax pre-flight for Python files: compile() each one in a child interpreter, writing no .pyc anywhere.
import { execFile } from 'node:child_process';

import { hostPath } from '../config/host-env.js';
import { ResearchError } from '../domain/errors.js';

/** One file that does not compile, with the line the interpreter blamed (null when it gave none). */
export interface PythonSyntaxError {
  file: string;
  line: number | null;
  error: string;
}

// compile() never writes bytecode; -I (isolated) keeps the tree and PYTHON* variables out of the way, -B is belt and braces.
const SCRIPT = [
  'import json, sys',
  'errors = []',
  'for name in sys.argv[1:]:',
  '    try:',
  '        with open(name, "rb") as handle: source = handle.read()',
  '        compile(source, name, "exec", dont_inherit=True)',
  '    except SyntaxError as error:',
  '        errors.append({"file": name, "line": error.lineno, "column": error.offset, "kind": type(error).__name__, "message": error.msg, "text": (error.text or "").rstrip()})',
  '    except (ValueError, OSError) as error:',
  '        errors.append({"file": name, "line": None, "column": None, "kind": type(error).__name__, "message": str(error), "text": ""})',
  'print(json.dumps(errors))',
].join('\n');

interface RawError {
  file: string;
  line: number | null;
  column: number | null;
  kind: string;
  message: string;
  text: string;
}

function describe(raw: RawError): string {
  const where = raw.line === null ? '' : ` at line ${raw.line}${raw.column ? `, column ${raw.column}` : ''}`;
  const text = raw.text.trim() === '' ? '' : `\n    ${raw.text.trim()}`;
  return `${raw.kind}${where}: ${raw.message}${text}`;
}

/** Syntax-check the `.py` files among `files` (relative to `root`) with `python`; returns one entry per failing file. */
export async function checkPythonSyntax(
  root: string,
  files: readonly string[],
  python: string,
): Promise<PythonSyntaxError[]> {
  const targets = files.filter((file) => file.endsWith('.py'));
  if (targets.length === 0) return [];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      python,
      ['-I', '-B', '-c', SCRIPT, ...targets],
      {
        cwd: root,
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
        // Only what an interpreter needs to start: no keys or tokens from our environment.
        env: { PATH: hostPath(), LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' },
      },
      (error, out, stderr) => {
        if (!error) return resolve(out);
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return reject(
            new ResearchError(
              'python_missing',
              `cannot run ${python} to syntax-check ${targets.join(', ')}: not found. Install Python 3 or configure its path.`,
            ),
          );
        }
        reject(
          new ResearchError(
            'preflight_failed',
            `the Python syntax check failed to run (${python}): ${stderr.trim() || error.message}`,
            { cause: error },
          ),
        );
      },
    );
  });
  let raw: RawError[];
  try {
    raw = JSON.parse(stdout) as RawError[];
  } catch (error) {
    throw new ResearchError(
      'preflight_failed',
      `the Python syntax check printed unexpected output: ${stdout.slice(0, 200)}`,
      { cause: error },
    );
  }
  return raw.map((entry) => ({ file: entry.file, line: entry.line, error: describe(entry) }));
}
