// The ideation and implementation seams. The offline provider implements both without a model;
// LLM-backed providers implement them with prompts.
import type { Experiment, Idea, PromptKind } from '../domain/records.js';
import type { Manifest } from '../environments/manifest.js';

/** What an ideator knows about an idea that has run. */
export interface IdeaOutcome {
  idea: Idea;
  experiment?: Experiment;
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
}

/** An idea as a provider returns it, before it is stored. */
export interface ProposedIdea {
  title: string;
  text: string;
  knobs?: Record<string, number | string>;
  parentIds?: string[];
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
}

export interface EditWriter {
  readonly name: string;
  /** Returns edit text in any format the edits module accepts. */
  writeEdit(request: ImplementRequest, options?: { signal?: AbortSignal }): Promise<string>;
}
