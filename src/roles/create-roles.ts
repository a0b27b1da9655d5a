// Choose the ideator and the implementer from config through a factory map, each wrapped in ledger, retries and limit.
import { DEFAULT_PRICES, type LlmConfig, type LlmProviderKind } from '../config/llm-schema.js';
import { ResearchError } from '../domain/errors.js';
import type { LlmRole } from '../domain/records.js';
import type { Ideator } from '../ideation/ideator.js';
import { createLlmIdeator } from '../ideation/llm-ideator.js';
import { createOfflineIdeator } from '../ideation/offline-ideator.js';
import type { Implementer } from '../implementer/implementer.js';
import { createLlmImplementer } from '../implementer/llm-implementer.js';
import { createOfflineImplementer } from '../implementer/offline-implementer.js';
import { createAnthropicProvider } from '../llm/anthropic.js';
import { type CallSink, metered } from '../llm/call-meter.js';
import { createSemaphore, limited } from '../llm/limit-concurrency.js';
import type { LlmProvider, RoleSettings } from '../llm/llm-provider.js';
import { createOpenAIProvider } from '../llm/openai.js';
import { retrying } from '../llm/with-retry.js';
import { silentLogger, type Logger } from '../util/logger.js';

type ModelKind = Exclude<LlmProviderKind, 'offline'>;
type Factory = (model: string, llm: LlmConfig, log: Logger) => LlmProvider;

const FACTORIES: Record<ModelKind, Factory | undefined> = {
  openai: (model, llm, log) =>
    createOpenAIProvider({ model, ...llm.openai, timeoutMs: llm.timeoutMs, log: log.child('openai') }),
  anthropic: (model, llm, log) =>
    createAnthropicProvider({ model, ...llm.anthropic, timeoutMs: llm.timeoutMs, log: log.child('anthropic') }),
  // Needs a connected MCP client, so the MCP layer injects it (see RoleDeps.injected).
  sampling: undefined,
};

export interface RoleDeps {
  sink: CallSink;
  log?: Logger;
  /** Providers made elsewhere (the MCP sampling provider, or fakes in tests), used instead of the factories. */
  injected?: Partial<Record<ModelKind, LlmProvider>>;
}

export interface Roles {
  ideator: Ideator;
  implementer: Implementer;
}

function roleModel(llm: LlmConfig, role: LlmRole, kind: ModelKind, injected?: LlmProvider): string {
  const model = llm[role].model ?? llm.model ?? injected?.model ?? (kind === 'sampling' ? 'client-chosen' : undefined);
  if (model) return model;
  const variable = role === 'ideator' ? 'GROUNDWORK_IDEATOR_MODEL' : 'GROUNDWORK_IMPLEMENTER_MODEL';
  throw new ResearchError(
    'config_invalid',
    `the ${role} uses the ${kind} provider but no model is set: set GROUNDWORK_MODEL (or ${variable}), or llm.model in the config file`,
  );
}

/** Builds on first use, so a misconfigured model stops only the calls that need it, with a clear error. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

export function createRoles(llm: LlmConfig, deps: RoleDeps): Roles {
  const log = deps.log ?? silentLogger;
  const semaphore = createSemaphore(llm.maxConcurrentCalls);
  const prices = { ...DEFAULT_PRICES, ...llm.prices };
  const build = (role: LlmRole, kind: ModelKind): { provider: LlmProvider; settings: RoleSettings } => {
    const injected = deps.injected?.[kind];
    const name = roleModel(llm, role, kind, injected);
    const factory = FACTORIES[kind];
    if (!injected && !factory) {
      throw new ResearchError(
        'config_invalid',
        `the ${kind} provider asks the connected MCP client to sample, so it works only inside an MCP session whose client supports sampling; choose openai, anthropic or offline here`,
      );
    }
    const base = injected ?? (factory as Factory)(name, llm, log);
    const provider = limited(
      retrying(metered(base, { sink: deps.sink, prices, log }), { maxRetries: llm.maxRetries }),
      semaphore,
    );
    const { maxTokens, temperature, options } = llm[role];
    const baseUrl = kind === 'sampling' ? undefined : llm[kind].baseUrl?.replace(/\/\/[^@/]*@/, '//');
    log.info(`${role}: ${kind} model ${name}`, baseUrl ? { baseUrl } : {});
    return { provider, settings: { model: name, maxTokens, temperature, options } };
  };
  const ideatorKind = llm.ideator.provider ?? llm.provider;
  const implementerKind = llm.implementer.provider ?? llm.provider;
  const configuredModel = (role: LlmRole): string => llm[role].model ?? llm.model ?? 'unset';
  let ideator: Ideator = createOfflineIdeator();
  if (ideatorKind !== 'offline') {
    const llmIdeator = once(() => {
      const { provider, settings } = build('ideator', ideatorKind);
      return createLlmIdeator(provider, settings, log.child('ideator'));
    });
    ideator = {
      name: ideatorKind,
      model: configuredModel('ideator'),
      propose: async (request, options) => llmIdeator().propose(request, options),
    };
  }
  let implementer: Implementer = createOfflineImplementer();
  if (implementerKind !== 'offline') {
    const llmImplementer = once(() => {
      const { provider, settings } = build('implementer', implementerKind);
      return createLlmImplementer(provider, settings);
    });
    implementer = {
      name: implementerKind,
      model: configuredModel('implementer'),
      writeEdit: async (request, options) => llmImplementer().writeEdit(request, options),
    };
  }
  return { ideator, implementer };
}
