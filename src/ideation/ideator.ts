// The ideator seam: what a proposer of ideas is asked and what it returns. The offline ideator implements it
// without a model; the LLM ideator implements it with prompts.
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
  /**
   * Other ideas already tried in the environment, outside `history` (direct proposals, other searches): not to learn
   * from, only never to propose again. The offline ideator skips their knob settings.
   */
  avoid?: Pick<Idea, 'id' | 'title' | 'text' | 'knobs'>[];
  guidance?: string;
  seed: number;
  /** The search asking, for the cost ledger. */
  searchId?: string;
}

/** An idea as an ideator returns it, before it is stored. */
export interface ProposedIdea {
  title: string;
  text: string;
  knobs?: Record<string, number | string>;
  parentIds?: string[];
  /** The model that wrote it, when it differs from the ideator's configured one (a dated snapshot, say). */
  model?: string;
}

export interface Ideator {
  readonly name: string;
  readonly model: string;
  /**
   * Answers at once from this process (no model call): a search then makes one call at a time, so each sees the
   * ideas before it; overlapping calls would only propose the same next move twice.
   */
  readonly local?: boolean;
  propose(request: ProposeRequest, options?: { signal?: AbortSignal }): Promise<ProposedIdea[]>;
}
