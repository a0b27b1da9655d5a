// Find Markdown code fences (``` or ~~~) in model output, so formats can look inside or beside them.
import { pathFromLine, pathFromToken } from './path-line.js';

export interface Fence {
  /** Line index of the opening fence. */
  open: number;
  /** Line index of the closing fence (the line count when the fence is never closed). */
  close: number;
  /** The info string after the opening fence, e.g. `python` or `diff`. */
  info: string;
}

const OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;

export function isFenceLine(line: string): boolean {
  return OPEN.test(line);
}

export function findFences(lines: readonly string[]): Fence[] {
  const fences: Fence[] = [];
  for (let index = 0; index < lines.length; index++) {
    const opening = OPEN.exec(lines[index] as string);
    if (!opening) continue;
    const marker = opening[1] as string;
    const info = (opening[2] as string).trim();
    if (marker.startsWith('`') && info.includes('`')) continue;
    let close = index + 1;
    while (close < lines.length) {
      const line = (lines[close] as string).trim();
      if (line.startsWith(marker) && /^(`+|~+)$/.test(line) && line[0] === marker[0]) break;
      close++;
    }
    fences.push({ open: index, close, info });
    index = close;
  }
  return fences;
}

/** The lines between a fence's markers. */
export function fenceBody(lines: readonly string[], fence: Fence): string[] {
  return lines.slice(fence.open + 1, fence.close);
}

/**
 * The file path a fence is labelled with: a path line just above it (not above `floor`, the previous fence's
 * end), or a path in its info string (```python train.py, ```python title="train.py").
 */
export function fenceLabel(lines: readonly string[], fence: Fence, floor: number): string | undefined {
  for (let above = fence.open - 1; above > floor && above >= fence.open - 2; above--) {
    const line = lines[above] as string;
    if (line.trim() === '') continue;
    const path = pathFromLine(line);
    if (path) return path;
    break;
  }
  const titled = /title=["']?([^"'\s]+)/.exec(fence.info)?.[1];
  if (titled) return pathFromToken(titled);
  return fence.info
    .split(/[\s:]+/)
    .map(pathFromToken)
    .find((path) => path !== undefined);
}
