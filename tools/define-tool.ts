// The shape of an MCP tool: schemas, a description a model can act on, and a handler over the services.
// Tools never import the MCP SDK; src/mcp/register-tools.ts adapts them.
import { z } from 'zod';

import type { ResearchServices } from '../src/services/research-services.js';

/**
 * What a tool does to the world, from which src/mcp derives the annotations:
 * - `read`: only reads (read-only, idempotent, closed world);
 * - `write`: stores something or queues local work (not idempotent, closed world);
 * - `generate`: like `write`, but may ask a language model, which is outside this machine (open world);
 * - `cancel`: stops work (destructive, idempotent).
 */
export type ToolKind = 'read' | 'write' | 'generate' | 'cancel';

/** Messages for the client's log (MCP logging) and the server's stderr. */
export interface ToolLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface ToolContext {
  services: ResearchServices;
  /** Aborted when the client cancels the call or disconnects: pass it to anything that waits. */
  signal: AbortSignal;
  log: ToolLog;
  /** Sends a progress notification when the client asked for them; does nothing otherwise. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** The folders the client shares as MCP roots (local paths; none when it declares no roots capability). */
  roots?(): Promise<string[]>;
  /**
   * Asks the client's user to confirm (MCP elicitation): true when they accepted, false when they declined or
   * cancelled, undefined when the client cannot ask (then the call must carry `confirm: true`).
   */
  confirm?(message: string): Promise<boolean | undefined>;
}

/** The call a model should make next, with its arguments. */
export interface NextCall {
  tool: string;
  arguments: Record<string, unknown>;
}

/**
 * What every structured result carries besides the tool's own fields, for clients that show the model only the JSON:
 * one or two sentences saying what happened, the key number and what to do next, and that next call when there is one.
 */
export interface ToolGuide {
  summary: string;
  next?: NextCall;
}

/** A resource the result points to (a `resource_link` content block); src/mcp serves the groundwork:// addresses. */
export interface ToolLink {
  uri: string;
  name: string;
  description?: string;
  mimeType?: string;
}

export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  /** snake_case, verb first. */
  name: string;
  title: string;
  /** Written for the model: what it does, when to use it, what comes back, whether it returns at once. */
  description: string;
  kind: ToolKind;
  input: I;
  output: O;
  handle(context: ToolContext, input: z.output<I>): Promise<z.output<O>>;
  /** The same result as readable text, for clients that show text only. */
  render(output: z.output<O>): string;
  /** The result's `summary` and `next` (added to the structured result); default: the first line of render(). */
  summarize?(output: z.output<O>): ToolGuide;
  /** Resources to link from the result (experiment, its log and diff, a search). */
  links?(output: z.output<O>): ToolLink[];
}

/** The fields every tool's output schema gains (src/mcp extends each output schema with them). */
export const GuideFields = {
  summary: z
    .string()
    .describe('what happened, the key number and what to call next, in one or two sentences: read this first'),
  next: z
    .object({ tool: z.string(), arguments: z.record(z.string(), z.unknown()) })
    .optional()
    .describe('the call to make next, with its arguments, when there is a natural next step'),
};

/** A summary from the rendering: its first line, cut to a sentence-sized length. */
export function guideOf<O>(
  tool: Pick<ToolDefinition, 'render'> & { summarize?(output: O): ToolGuide },
  output: O,
): ToolGuide {
  if (tool.summarize) return tool.summarize(output);
  const first =
    (tool.render as (output: O) => string)(output)
      .split('\n')
      .find((line) => line.trim() !== '') ?? '';
  return { summary: first.length > 300 ? `${first.slice(0, 297)}…` : first || 'done' };
}

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(
  tool: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return tool;
}
