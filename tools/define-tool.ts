// The shape of an MCP tool: schemas, a description a model can act on, and a handler over the services.
// Tools never import the MCP SDK; src/mcp/register-tools.ts adapts them.
import type { z } from 'zod';

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
}

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(
  tool: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return tool;
}
