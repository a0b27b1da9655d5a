// Pair each line of a hunk's new side with the old line it leaves unchanged (a longest common subsequence),
// so unchanged lines keep the file's exact bytes even when the model's copy drifted in whitespace.

const MAX_CELLS = 4_000_000;

/** For each new line, the index of the identical old line it keeps, or -1 for a changed line. */
export function alignLines(oldLines: readonly string[], newLines: readonly string[]): number[] {
  const kept: number[] = new Array<number>(newLines.length).fill(-1);
  let prefix = 0;
  while (prefix < oldLines.length && prefix < newLines.length && oldLines[prefix] === newLines[prefix]) {
    kept[prefix] = prefix;
    prefix++;
  }
  let suffix = 0;
  while (
    suffix < oldLines.length - prefix &&
    suffix < newLines.length - prefix &&
    oldLines[oldLines.length - 1 - suffix] === newLines[newLines.length - 1 - suffix]
  ) {
    kept[newLines.length - 1 - suffix] = oldLines.length - 1 - suffix;
    suffix++;
  }
  const oldMiddle = oldLines.slice(prefix, oldLines.length - suffix);
  const newMiddle = newLines.slice(prefix, newLines.length - suffix);
  const rows = oldMiddle.length;
  const columns = newMiddle.length;
  if (rows === 0 || columns === 0 || (rows + 1) * (columns + 1) > MAX_CELLS) return kept;
  // lengths[i][j]: LCS length of oldMiddle[i..] and newMiddle[j..], flattened.
  const width = columns + 1;
  const lengths = new Uint32Array((rows + 1) * width);
  for (let i = rows - 1; i >= 0; i--) {
    for (let j = columns - 1; j >= 0; j--) {
      lengths[i * width + j] =
        oldMiddle[i] === newMiddle[j]
          ? (lengths[(i + 1) * width + j + 1] as number) + 1
          : Math.max(lengths[(i + 1) * width + j] as number, lengths[i * width + j + 1] as number);
    }
  }
  for (let i = 0, j = 0; i < rows && j < columns;) {
    if (oldMiddle[i] === newMiddle[j]) {
      kept[prefix + j] = prefix + i;
      i++;
      j++;
    } else if ((lengths[(i + 1) * width + j] as number) >= (lengths[i * width + j + 1] as number)) i++;
    else j++;
  }
  return kept;
}
