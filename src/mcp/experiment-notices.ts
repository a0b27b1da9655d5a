// Tell a session about experiment changes: log messages when experiments end, and resources/updated for subscribers.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';

import type { Experiment } from '../domain/records.js';
import { isEnded } from '../domain/states.js';
import { RESOURCE_PREFIX } from './register-resources.js';
import type { ToolRuntime } from './register-tools.js';

function summary(experiment: Experiment): string {
  const metric = experiment.result?.metric;
  if (experiment.state === 'succeeded' && metric)
    return `experiment ${experiment.id} succeeded: ${metric.name} ${metric.value.toFixed(4)}`;
  return `experiment ${experiment.id} ${experiment.state}${experiment.failure ? `: ${experiment.failure.category}: ${experiment.failure.message}` : ''}`;
}

/** Call before connecting; stops listening when the session closes. */
export function attachExperimentNotices(server: McpServer, runtime: ToolRuntime): void {
  const subscribed = new Set<string>();
  server.server.registerCapabilities({ resources: { subscribe: true } });
  server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
    subscribed.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  let stop: (() => void) | undefined;
  let closed = false;
  const onUpdate = (experiment: Experiment): void => {
    if (!server.isConnected()) return;
    const base = `${RESOURCE_PREFIX}experiments/${experiment.id}`;
    for (const uri of [base, `${base}/log`]) {
      if (subscribed.has(uri)) void server.server.sendResourceUpdated({ uri }).catch(() => undefined);
    }
    if (isEnded(experiment)) {
      void server
        .sendLoggingMessage(
          {
            level: experiment.state === 'succeeded' ? 'info' : 'warning',
            logger: 'experiments',
            data: summary(experiment),
          },
          // The level a client sets is kept per session.
          server.server.transport?.sessionId,
        )
        .catch(() => undefined);
    }
  };
  const previous = server.server.oninitialized;
  server.server.oninitialized = () => {
    previous?.();
    runtime
      .services()
      .then((services) => {
        if (!closed) stop = services.onExperimentUpdate(onUpdate);
      })
      .catch(() => undefined);
  };
  const onclose = server.server.onclose;
  server.server.onclose = () => {
    onclose?.();
    closed = true;
    stop?.();
  };
}
