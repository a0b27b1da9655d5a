// The implementer seam: an idea in, edit text out. The offline implementer writes knob settings without a
// model; the LLM implementer writes edits with prompts.
import type { Idea } from '../domain/records.js';
import type { Manifest } from '../environments/manifest.js';

export interface ImplementRequest {
  manifest: Manifest;
  files: Record<string, string>;
  idea: Idea;
  /** The previous attempt and why it was refused, when revising. */
  previous?: { edit: string; error: string };
  /** Every earlier attempt of this sample chain, oldest first (its last entry is `previous`). */
  history?: { edit: string; error: string }[];
  /** The implementation being made, for the cost ledger. */
  implementationId?: string;
}

/** An edit with where it came from; implementers may also return just the text. */
export interface WrittenEdit {
  text: string;
  model?: string;
  /** The ledger entry of the model call that wrote it. */
  callId?: string;
  /** The answer stopped at the output token limit, so the edit may be cut off. */
  truncated?: boolean;
}

export interface Implementer {
  readonly name: string;
  readonly model?: string;
  /** Same request, same edit (no model involved): one sample chain is enough, and revising cannot help. */
  readonly deterministic?: boolean;
  /** Returns edit text in any format the edits module accepts. */
  writeEdit(request: ImplementRequest, options?: { signal?: AbortSignal }): Promise<string | WrittenEdit>;
}

export function asWrittenEdit(edit: string | WrittenEdit): WrittenEdit {
  return typeof edit === 'string' ? { text: edit } : edit;
}
