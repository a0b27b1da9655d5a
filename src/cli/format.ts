// Plain-text rendering for the terminal: tables and numbers.

export function formatNumber(value: number | undefined, digits = 4): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return value.toFixed(digits);
}

export function formatSigned(value: number | undefined, digits = 4): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

/** A left-aligned text table; `maxWidth` truncates the widest column with an ellipsis. */
export function table(headers: string[], rows: string[][], maxCell = 48): string {
  const clipped = rows.map((row) =>
    row.map((cell) => (cell.length > maxCell ? `${cell.slice(0, maxCell - 1)}…` : cell)),
  );
  const widths = headers.map((header, i) => Math.max(header.length, ...clipped.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...clipped.map(line)].join('\n');
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
