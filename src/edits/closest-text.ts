// Explain a block that does not match: which of its lines are not in the file, and the closest text that is.

const MAX_QUOTED = 12;

function bigrams(text: string): Set<string> {
  const grams = new Set<string>();
  const compact = text.replace(/\s+/g, ' ').trim();
  for (let index = 0; index < compact.length - 1; index++) grams.add(compact.slice(index, index + 2));
  return grams;
}

function similarity(a: Set<string>, b: Set<string>, aText: string, bText: string): number {
  if (aText.trim() === bText.trim()) return 1;
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const gram of a) if (b.has(gram)) shared++;
  return (2 * shared) / (a.size + b.size);
}

/** The 0-based start of the window of `block.length` lines most similar to `block`, or -1 for an empty file. */
export function closestWindow(lines: readonly string[], block: readonly string[]): number {
  if (lines.length === 0 || block.length === 0) return -1;
  const size = Math.min(block.length, lines.length);
  const fileGrams = lines.map(bigrams);
  const blockGrams = block.map(bigrams);
  // Bound the work on very large files: compare every other start when the product is huge.
  const step = lines.length * size > 2_000_000 ? Math.ceil((lines.length * size) / 2_000_000) : 1;
  let best = 0;
  let bestScore = -1;
  for (let start = 0; start + size <= lines.length; start += step) {
    let score = 0;
    for (let offset = 0; offset < size; offset++) {
      score += similarity(
        fileGrams[start + offset] as Set<string>,
        blockGrams[offset] as Set<string>,
        lines[start + offset] as string,
        block[offset] as string,
      );
    }
    if (score > bestScore) {
      bestScore = score;
      best = start;
    }
  }
  return best;
}

/** Quote lines `start`…`end` (0-based, exclusive end) with 1-based line numbers. */
export function quoteLines(lines: readonly string[], start: number, end: number): string {
  const shown = lines.slice(start, Math.min(end, start + MAX_QUOTED));
  const quoted = shown.map((line, offset) => `${String(start + offset + 1).padStart(5)} | ${line}`);
  if (end - start > shown.length) quoted.push(`      … (${end - start - shown.length} more lines)`);
  return quoted.join('\n');
}

/** Lines of `block` (ignoring blank ones) whose text, trimmed, appears nowhere in the file. */
export function missingLines(lines: readonly string[], block: readonly string[]): string[] {
  const present = new Set(lines.map((line) => line.trim()));
  return block.filter((line) => line.trim() !== '' && !present.has(line.trim()));
}

/** The refusal text for a block that matches nowhere: what is missing and where the closest text is. */
export function describeNotFound(
  lines: readonly string[],
  block: readonly string[],
  path: string,
  label: string,
): string {
  const parts = [`${label} not found in ${path}`];
  const missing = missingLines(lines, block);
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).map((line) => `    ${line.trim()}`);
    if (missing.length > 5) shown.push(`    … and ${missing.length - 5} more`);
    parts[0] += `; these lines are not in the file at all:\n${shown.join('\n')}`;
  }
  const start = closestWindow(lines, block);
  if (start >= 0) {
    const end = Math.min(lines.length, start + block.length);
    parts.push(`The closest text is at lines ${start + 1}–${end}:\n${quoteLines(lines, start, end)}`);
  } else {
    parts.push(`${path} is empty.`);
  }
  parts.push(
    'Copy the lines to change exactly as they are in the current file (same indentation), with a few unchanged lines around them.',
  );
  return parts.join('\n');
}

/** The refusal text for a block that matches in several places. */
export function describeAmbiguous(starts: readonly number[], blockLength: number, path: string, label: string): string {
  const where = starts
    .slice(0, 6)
    .map((start) => (blockLength > 1 ? `${start + 1}–${start + blockLength}` : `${start + 1}`));
  const more = starts.length > 6 ? `, …` : '';
  return (
    `${label} matches ${starts.length} places in ${path} (lines ${where.join(', ')}${more}); it must match exactly one. ` +
    'Include more unchanged lines around the change (for example the enclosing def or class line) so it is unique.'
  );
}
