// The shapes every edit format is parsed into, and what planning and applying return.

/** The edit formats models write that we accept. */
export type EditFormat = 'unified-diff' | 'search-replace' | 'apply-patch' | 'whole-file';

/** One file's contents before and after an edit; `null` means the file is absent (created or deleted). */
export interface FileChange {
  path: string;
  before: string | null;
  after: string | null;
}

/** Which files an edit may touch: globs relative to the tree root (`**`, `*`, `?`). */
export interface EditPolicy {
  frozen: string[];
  /** When given, only files matching one of these may change. */
  editable?: string[];
}

/** What `applyEdit` did, with the canonical diff of the real before and after contents. */
export interface EditSummary {
  format: EditFormat;
  filesChanged: string[];
  diff: string;
  added: number;
  removed: number;
}

/**
 * One change inside a file: replace `oldLines` with `newLines`. Formats without line numbers leave `hint`
 * unset, so the old lines must occur exactly once; `anchors` (apply_patch `@@ def f():`) must precede them.
 */
export interface Hunk {
  label: string;
  oldLines: string[];
  newLines: string[];
  /** 0-based line index where `oldLines` were claimed to start (unified diffs with numbers). */
  hint?: number;
  anchors?: string[];
  /** The old lines must end the file (apply_patch `*** End of File`). */
  atEnd?: boolean;
  /** `\ No newline at end of file` after the old or new side's last line. */
  oldEndsWithoutNewline?: boolean;
  newEndsWithoutNewline?: boolean;
  /** SEARCH/REPLACE: the old text may be part of a line (matched once, at word boundaries) when no whole lines match. */
  fragment?: boolean;
}

/** What an edit does to one path. `update` on a missing file whose first hunk has no old lines creates it. */
export type FileOperation =
  | { kind: 'update'; path: string; hunks: Hunk[]; moveTo?: string }
  | { kind: 'create'; path: string; hunks: Hunk[] }
  | { kind: 'delete'; path: string; hunks: Hunk[] }
  | { kind: 'write'; path: string; content: string };

/** An edit parsed from model text, not yet checked against any tree. */
export interface ParsedEdit {
  format: EditFormat;
  operations: FileOperation[];
}
