// What every prompt builder returns. src/prompts holds the parts both roles' prompts share; no I/O anywhere in it.

/** A system message and the first user message. */
export interface Prompt {
  system: string;
  user: string;
}
