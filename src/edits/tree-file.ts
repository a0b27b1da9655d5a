// Read a file of the tree as text, or null when absent; refuse directories and binary files.
import { readFile, stat } from 'node:fs/promises';

import { refuse } from './refuse.js';

/** The text of `full` (for messages, `path`), or null when there is no such file. */
export async function readTreeFile(full: string, path: string): Promise<string | null> {
  let kind;
  try {
    kind = await stat(full);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
      return null;
    throw error;
  }
  if (kind.isDirectory())
    throw refuse('not_a_file', `${path} is a directory, not a file; name a file inside it.`, path);
  const bytes = await readFile(full);
  const text = bytes.toString('utf8');
  if (bytes.includes(0) || !Buffer.from(text, 'utf8').equals(bytes)) {
    throw refuse('binary', `${path} is a binary (or non-UTF-8) file; only text files can be edited.`, path);
  }
  return text;
}
