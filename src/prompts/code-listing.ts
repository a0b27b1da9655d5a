// Show files to a model with line numbers, the way the paper's prompts do ("N: code"), but unambiguous.

/** Every file under a `===== path =====` header, each line prefixed with its 1-based number and `| `. */
export function numberedListing(files: Record<string, string>): string {
  return Object.keys(files)
    .sort()
    .map((path) => {
      const lines = (files[path] as string).replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
      const width = String(lines.length).length;
      const body = lines.map((line, index) => `${String(index + 1).padStart(width)}| ${line}`).join('\n');
      return `===== ${path} =====\n${body}`;
    })
    .join('\n\n');
}

export const LISTING_NOTE =
  'Each line starts with its line number and "| "; the numbers are for reference only and are not part of the files.';
