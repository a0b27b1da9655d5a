// What prompt builders take and return: plain data in, text out. No I/O anywhere in src/prompts.
import type { Experiment, Idea } from '../domain/records.js';
import type { Manifest } from '../environments/manifest.js';

/** A system message and the first user message. */
export interface Prompt {
  system: string;
  user: string;
}

/** An idea tried before, with its latest experiment, or why it never ran. */
export interface PastIdea {
  idea: Idea;
  experiment?: Experiment;
  implementationError?: string;
}

export interface IdeationInput {
  manifest: Manifest;
  /** Editable files by path; shown with line numbers. */
  files: Record<string, string>;
  count: number;
  guidance?: string;
  /** Ideas already proposed in this round, to avoid repeating them. */
  avoid: readonly string[];
}
