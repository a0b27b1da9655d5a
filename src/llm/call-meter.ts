// The cost ledger's tap: wraps a provider so every request is recorded (model, tokens, latency, cost, outcome).
import { errorMessage, ResearchError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { type LlmCall, SCHEMA_VERSION } from '../domain/records.js';
import type { Logger } from '../util/logger.js';
import {
  type GenerateOptions,
  type GenerateRequest,
  type GenerateResult,
  type LlmProvider,
  NO_USAGE,
} from './llm-provider.js';
import { costOf, type PriceTable } from './prices.js';

/** Where ledger entries go (the store's `llmCalls`, wired by the composition root). */
export interface CallSink {
  record(call: LlmCall): Promise<void>;
}

export interface MeterOptions {
  sink: CallSink;
  prices: PriceTable;
  log?: Logger;
  now?: () => number;
}

/**
 * `provider` with every call recorded in the ledger under its `options.tags`. The result carries the
 * entry's id as `callId`. A ledger write that fails is logged, never allowed to fail the call.
 */
export function metered(provider: LlmProvider, options: MeterOptions): LlmProvider {
  const now = options.now ?? Date.now;
  const record = async (call: LlmCall): Promise<void> => {
    try {
      await options.sink.record(call);
    } catch (error) {
      options.log?.warn('cannot record an LLM call in the ledger', { error: errorMessage(error) });
    }
  };
  return {
    name: provider.name,
    ...(provider.model === undefined ? {} : { model: provider.model }),
    async generate(request: GenerateRequest, callOptions: GenerateOptions = {}): Promise<GenerateResult> {
      const tags = callOptions.tags ?? { role: 'ideator' as const };
      const started = now();
      const base = {
        id: newId('call'),
        schemaVersion: SCHEMA_VERSION,
        provider: provider.name,
        role: tags.role,
        ...(tags.searchId ? { searchId: tags.searchId } : {}),
        ...(tags.ideaId ? { ideaId: tags.ideaId } : {}),
        ...(tags.implementationId ? { implementationId: tags.implementationId } : {}),
        createdAt: new Date(started).toISOString(),
      };
      try {
        const result = await provider.generate(request, callOptions);
        await record({
          ...base,
          model: result.model || provider.model || 'unknown',
          ...result.usage,
          latencyMs: now() - started,
          ...costOf(result.model || provider.model || '', result.usage, options.prices),
          outcome: 'ok',
          stopReason: result.stopReason,
        });
        return { ...result, callId: base.id };
      } catch (error) {
        // A cancelled call is not a request the provider answered; it costs nothing and is not a failure.
        if (!ResearchError.is(error, 'cancelled')) {
          const status = ResearchError.is(error) ? error.details?.status : undefined;
          await record({
            ...base,
            model: provider.model ?? 'unknown',
            ...NO_USAGE,
            latencyMs: now() - started,
            costUsd: 0,
            priced: false,
            outcome: 'error',
            error: {
              code: ResearchError.is(error) ? error.code : 'internal',
              message: errorMessage(error).slice(0, 500),
              ...(typeof status === 'number' ? { status } : {}),
            },
          });
        }
        throw error;
      }
    },
  };
}
