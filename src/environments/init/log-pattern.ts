// Check a --metric-from-log pattern before anything is written: it must compile and match a line the code can print.
import { ResearchError } from '../../domain/errors.js';

export interface TextFile {
  path: string;
  text: string;
}

const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;
const SAMPLES = ['1.234567', '12'];

/** The value a match yields, as the harness reads it: the first group, else the first number in the match. */
export function matchedValue(match: RegExpExecArray): number | undefined {
  const text = match.length > 1 ? match[1] : match[0];
  const number = text === undefined ? null : NUMBER.exec(text);
  const value = number ? Number(number[0]) : Number.NaN;
  return Number.isFinite(value) ? value : undefined;
}

/** Compiles the pattern the way the (Python) harness will read it; throws bad_input with the reason. */
export function compileLogPattern(pattern: string): RegExp {
  if (/\(\?<(?![=!])/.test(pattern)) {
    throw new ResearchError(
      'bad_input',
      `--metric-from-log "${pattern}": the harness is Python, so write a named group as (?P<name>…), or use a plain (…) group`,
    );
  }
  try {
    return new RegExp(pattern.replace(/\(\?P</g, '(?<'), 'm');
  } catch (error) {
    throw new ResearchError(
      'bad_input',
      `--metric-from-log "${pattern}" is not a valid regular expression: ${String(error)}`,
    );
  }
}

/** Lines a program with this source could print: its string literals with each placeholder filled by a number. */
function printable(file: TextFile): string[] {
  const lines: string[] = [];
  const plain = /\.(log|txt|md|rst|out|tsv)$/i.test(file.path);
  for (const line of file.text.split('\n')) {
    if (line.length > 400) continue;
    if (plain) {
      lines.push(line);
      continue;
    }
    const literals = [...line.matchAll(/[rRbBfFuU]{0,2}("""|'''|"|')(.*?)\1/g)].map((match) => match[2] ?? '');
    if (literals.length === 0) continue;
    for (const sample of SAMPLES) {
      const filled = literals.map((literal) =>
        literal.replace(/\{[^{}]*\}/g, sample).replace(/%[-+ #0]*\d*(?:\.\d+)?[sdifgeEGr]/g, sample),
      );
      lines.push(...filled, ...filled.map((text) => `${text} ${sample}`), filled.join(` ${sample} `));
    }
  }
  return lines;
}

/**
 * Throws bad_input when the pattern matches none of: the lines the repository's files could print (string literals of
 * its code, its logs and docs), nor `<metric>: <number>` and its usual variants. Returns how it matched, for the user.
 */
export function checkLogPattern(pattern: string, metric: string | undefined, files: readonly TextFile[]): string {
  const regex = compileLogPattern(pattern);
  const synthetic = metric
    ? SAMPLES.flatMap((n) => [`${metric}: ${n}`, `${metric}=${n}`, `${metric} ${n}`, `"${metric}": ${n}`])
    : [];
  for (const line of synthetic) {
    const match = regex.exec(line);
    if (match && matchedValue(match) !== undefined) return `it matches "${line}"`;
  }
  for (const file of files) {
    for (const line of printable(file)) {
      const match = regex.exec(line);
      if (match && matchedValue(match) !== undefined) return `it matches "${line.trim()}" (from ${file.path})`;
    }
  }
  throw new ResearchError(
    'bad_input',
    `--metric-from-log "${pattern}" never matches a number: no line the code could print (the string literals of ` +
      `${files.length} file(s), with numbers for their placeholders)${metric ? `, nor "${metric}: 1.23"` : ''}, ` +
      `matches it with a number where its first (…) group is. Check the spelling against a real log ` +
      `(grep -E '${pattern}' run.log), e.g. '^val_loss:\\s*([0-9.eE+-]+)'`,
  );
}
