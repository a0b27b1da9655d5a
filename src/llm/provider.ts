// The ideation and implementation seams. The offline provider implements both without a model;
// LLM-backed providers implement them with prompts.
import type { Experiment, Idea, PromptKind } from '../domain/records.js';
import type { Manifest } from '../environments/manifest.js';

/** What an ideator knows about an idea that has run (or failed to). */
export interface IdeaOutcome {
  idea: Idea;
  experiment?: Experiment;
  /** Why the idea never ran, when no edit for it could be made. */
  implementationError?: string;
}

export interface ProposeRequest {
  manifest: Manifest;
  /** Contents of the editable files, by path, so a model can read the code it will change. */
  files: Record<string, string>;
  count: number;
  kind: PromptKind;
  /** Ideas to build on (exploit). */
  parents: IdeaOutcome[];
  /** Everything tried so far in this context (explore, and to avoid duplicates). */
  history: IdeaOutcome[];
  guidance?: string;
  seed: number;
  /** The search asking, for the cost ledger. */
  searchId?: string;
}

/** An idea as a provider returns it, before it is stored. */
export interface ProposedIdea {
  title: string;
  text: string;
  knobs?: Record<string, number | string>;
  parentIds?: string[];
  /** The model that wrote it, when it differs from the provider's configured one (a dated snapshot, say). */
  model?: string;
}

export interface IdeaProvider {
  readonly name: string;
  readonly model: string;
  propose(request: ProposeRequest, options?: { signal?: AbortSignal }): Promise<ProposedIdea[]>;
}

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

/** An edit with where it came from; writers may also return just the text. */
export interface WrittenEdit {
  text: string;
  model?: string;
  /** The ledger entry of the model call that wrote it. */
  callId?: string; /** The answer stopped at the output token limit, so the edit may be cut off. */
  truncated?: boolean;
}

export interface EditWriter {
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
