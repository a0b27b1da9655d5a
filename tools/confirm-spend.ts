// Asking before a big spend: an estimate over config.confirm needs the user's yes (elicitation) or `confirm: true`.
import { z } from 'zod';

import { ResearchError } from '../src/domain/errors.js';
import type { CostEstimate } from '../src/services/cost-estimate.js';
import type { ToolContext } from './define-tool.js';

export const ConfirmInput = z
  .boolean()
  .optional()
  .describe(
    'true to start although the estimated cost is over the configured limits (a refusal says the estimate); clients that can ask their user (elicitation) ask instead',
  );

/**
 * Returns when `what` may start: the estimate is under the limits, the user accepted, or (when the client cannot ask)
 * the call said `confirm: true`. Otherwise throws an error that states the estimate.
 */
export async function confirmSpend(
  context: Pick<ToolContext, 'confirm' | 'log'>,
  estimate: CostEstimate,
  confirmed: boolean | undefined,
  what: string,
): Promise<void> {
  if (!estimate.needsConfirmation) return;
  const answer = await context.confirm?.(
    `groundwork is about to start ${what}, estimated at ${estimate.text}. Start it?`,
  );
  if (answer === true) {
    context.log.info(`the user confirmed ${what}`, { gpuHours: estimate.gpuHours, usd: estimate.usd });
    return;
  }
  if (answer === false) {
    throw new ResearchError('cancelled', `the user declined ${what} (estimated ${estimate.text}); nothing was started`);
  }
  if (confirmed === true) return;
  throw new ResearchError(
    'bad_input',
    `confirmation required: ${what} is estimated at ${estimate.text}. Nothing was started. Ask the user, and if they agree call again with confirm: true (or choose a smaller profile, fewer seeds or a smaller budget)`,
  );
}
