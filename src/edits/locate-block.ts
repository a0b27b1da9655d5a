// Find where a block of lines sits in a file: exact, then ignoring trailing whitespace, then ignoring a
// consistent indentation shift. Never fuzzier than that: a wrong guess silently corrupts an experiment.

export type MatchTier = 'exact' | 'trailing-whitespace' | 'indentation';

/** How to shift the indentation of replacement lines when the block matched with a different indent. */
export interface Indent {
  kind: 'add' | 'remove';
  prefix: string;
}

export interface BlockMatch {
  index: number;
  tier: MatchTier;
  indent: Indent;
}

export type LocateResult =
  | { kind: 'found'; match: BlockMatch }
  | { kind: 'not_found' }
  | { kind: 'ambiguous'; tier: MatchTier; starts: number[] };

export interface LocateOptions {
  /** Only consider starts at or after this line. */
  from?: number;
  /** Several matches: take the one nearest this line instead of refusing. */
  hint?: number;
  /** The block must end the file. */
  atEnd?: boolean;
}

const NO_INDENT: Indent = { kind: 'add', prefix: '' };

function leading(line: string): string {
  return line.slice(0, line.length - line.trimStart().length);
}

/** The indentation shift that turns `block` into `lines` from `start`, or undefined when there is none. */
function indentShift(lines: readonly string[], block: readonly string[], start: number): Indent | undefined {
  let shift: Indent | undefined;
  for (let offset = 0; offset < block.length; offset++) {
    const fileLine = (lines[start + offset] as string).trimEnd();
    const blockLine = (block[offset] as string).trimEnd();
    if (fileLine.trim() !== blockLine.trim()) return undefined;
    if (fileLine === '') continue;
    const have = leading(fileLine);
    const want = leading(blockLine);
    let next: Indent;
    if (have.endsWith(want)) next = { kind: 'add', prefix: have.slice(0, have.length - want.length) };
    else if (want.endsWith(have)) next = { kind: 'remove', prefix: want.slice(0, want.length - have.length) };
    else return undefined;
    if (next.prefix === '') next = NO_INDENT;
    if (shift === undefined) shift = next;
    else if (shift.kind !== next.kind || shift.prefix !== next.prefix) return undefined;
  }
  return shift ?? NO_INDENT;
}

/** Apply an indentation shift to one replacement line. */
export function reindent(line: string, indent: Indent): string {
  if (indent.prefix === '' || line.trim() === '') return line;
  if (indent.kind === 'add') return indent.prefix + line;
  return line.startsWith(indent.prefix) ? line.slice(indent.prefix.length) : line.trimStart();
}

function startsMatching(
  lines: readonly string[],
  block: readonly string[],
  tier: MatchTier,
  options: LocateOptions,
): Map<number, Indent> {
  const found = new Map<number, Indent>();
  const last = lines.length - block.length;
  const first = options.atEnd ? last : Math.max(0, options.from ?? 0);
  for (let start = first; start <= last; start++) {
    if (tier === 'indentation') {
      const shift = indentShift(lines, block, start);
      if (shift) found.set(start, shift);
      continue;
    }
    let same = true;
    for (let offset = 0; offset < block.length && same; offset++) {
      const fileLine = lines[start + offset] as string;
      const blockLine = block[offset] as string;
      same = tier === 'exact' ? fileLine === blockLine : fileLine.trimEnd() === blockLine.trimEnd();
    }
    if (same) found.set(start, NO_INDENT);
  }
  return found;
}

/** Locate a non-empty `block` in `lines`, trying each tier in turn; the first tier with a unique match wins. */
export function locateBlock(
  lines: readonly string[],
  block: readonly string[],
  options: LocateOptions = {},
): LocateResult {
  for (const tier of ['exact', 'trailing-whitespace', 'indentation'] as const) {
    const found = startsMatching(lines, block, tier, options);
    const starts = [...found.keys()];
    if (starts.length === 0) continue;
    let index = starts[0] as number;
    if (starts.length > 1) {
      const hint = options.hint;
      if (hint === undefined) return { kind: 'ambiguous', tier, starts };
      for (const start of starts) if (Math.abs(start - hint) < Math.abs(index - hint)) index = start;
    }
    return { kind: 'found', match: { index, tier, indent: found.get(index) as Indent } };
  }
  return { kind: 'not_found' };
}

/** The first line at or after `from` whose trimmed text equals the anchor's, or -1. */
export function findAnchor(lines: readonly string[], anchor: string, from: number): number {
  const wanted = anchor.trim();
  for (let index = Math.max(0, from); index < lines.length; index++) {
    if ((lines[index] as string).trim() === wanted) return index;
  }
  return -1;
}
