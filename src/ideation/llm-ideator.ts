// The LLM ideator: seed, exploit and explore prompts, parsed answers, junk and repeats rejected.
import { ResearchError } from '../domain/errors.js';
import { type LlmProvider, type RoleSettings, requestFields } from '../llm/llm-provider.js';
import type { Prompt } from '../prompts/types.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { createRandom } from '../util/random.js';
import type { IdeaOutcome, Ideator, ProposedIdea, ProposeRequest } from './ideator.js';
import { ideaText, parseIdeas, whyNoIdeas } from './parse-ideas.js';
import { exploitPrompt } from './prompts/exploit.js';
import { explorePrompt } from './prompts/explore.js';
import type { IdeationInput } from './prompts/ideation-common.js';
import { failed } from './prompts/past-ideas.js';
import { seedPrompt } from './prompts/seed.js';

/** Ideas asked for per call, as in the paper (larger batches get sloppier). */
export const IDEAS_PER_CALL = 10;
/** Parents shown to exploit, failures shown beside them, and the sample of history shown to explore. */
export const MAX_PARENTS = 20;
export const MAX_FAILURES = 10;
export const EXPLORE_SAMPLE = 50;
/** Titles of other earlier ideas listed as "already proposed". */
export const MAX_AVOID = 100;

function normalized(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Titles of earlier ideas the prompt does not already show, so the model does not propose them again. */
function unseenTitles(history: readonly IdeaOutcome[], shown: readonly IdeaOutcome[]): string[] {
  const ids = new Set(shown.map((past) => past.idea.id));
  return history
    .filter((past) => !ids.has(past.idea.id))
    .map((past) => past.idea.title)
    .slice(-MAX_AVOID);
}

function buildPrompt(request: ProposeRequest, base: IdeationInput): Prompt {
  const { history } = request;
  if (request.kind === 'exploit' && request.parents.length > 0) {
    const parents = request.parents.slice(0, MAX_PARENTS);
    const failures = history.filter(failed).slice(-MAX_FAILURES);
    const avoid = [...unseenTitles(history, [...parents, ...failures]), ...base.avoid];
    return exploitPrompt({ ...base, avoid, parents, failures });
  }
  if (request.kind === 'explore' || (request.kind === 'exploit' && history.length > 0)) {
    const tried = createRandom(request.seed)
      .shuffle([...history])
      .slice(0, EXPLORE_SAMPLE);
    const avoid = [...unseenTitles(history, tried), ...base.avoid];
    return explorePrompt({ ...base, avoid, tried, triedTotal: history.length, failures: history.filter(failed) });
  }
  return seedPrompt({ ...base, avoid: [...unseenTitles(history, []), ...base.avoid] });
}

export function createLlmIdeator(llm: LlmProvider, settings: RoleSettings, log: Logger = silentLogger): Ideator {
  return {
    name: llm.name,
    model: settings.model,
    async propose(request: ProposeRequest, options: { signal?: AbortSignal } = {}): Promise<ProposedIdea[]> {
      const known = new Set(
        [...request.history, ...request.parents].map((past) => normalized(past.idea.text.replace(/\[[^\]]*\]/g, ' '))),
      );
      const ideas: ProposedIdea[] = [];
      const problems: string[] = [];
      const maxCalls = Math.ceil(request.count / IDEAS_PER_CALL) + 1;
      for (let call = 0; ideas.length < request.count && call < maxCalls; call++) {
        const count = Math.min(IDEAS_PER_CALL, request.count - ideas.length);
        const prompt = buildPrompt(request, {
          manifest: request.manifest,
          files: request.files,
          count,
          guidance: request.guidance,
          avoid: ideas.map((idea) => idea.title),
        });
        const result = await llm.generate(
          {
            system: prompt.system,
            messages: [{ role: 'user', content: prompt.user }],
            ...requestFields(settings),
          },
          {
            signal: options.signal,
            tags: { role: 'ideator', ...(request.searchId ? { searchId: request.searchId } : {}) },
          },
        );
        const parsed = parseIdeas(result.text);
        // The last idea of an answer cut off at the token limit may be cut off itself.
        if (result.stopReason === 'max_tokens' && parsed.ideas.length > 0) parsed.ideas.pop();
        if (parsed.rejected.length > 0) log.debug('rejected ideas', { rejected: parsed.rejected });
        if (parsed.ideas.length === 0)
          problems.push(
            result.stopReason === 'refusal' ? 'the model declined (refusal)' : whyNoIdeas(result.text, parsed),
          );
        for (const idea of parsed.ideas.slice(0, count)) {
          const text = ideaText(idea);
          const fingerprint = normalized(`${idea.experiment} ${idea.codeChanges}`);
          if (known.has(fingerprint)) continue;
          known.add(fingerprint);
          const parents = idea.buildsOn.map((n) => request.parents[n - 1]?.idea.id).filter((id) => id !== undefined);
          ideas.push({
            title: idea.title,
            text,
            ...(result.model ? { model: result.model } : {}),
            parentIds:
              request.kind === 'exploit' ? (parents.length > 0 ? parents : request.parents.map((p) => p.idea.id)) : [],
          });
        }
      }
      if (ideas.length === 0) {
        throw new ResearchError(
          'llm_api',
          `the ${llm.name} model ${settings.model} gave no usable ideas: ${[...new Set(problems)].join('; ') || 'only repeats of earlier ideas'}`,
          { details: { reason: 'no_ideas' } },
        );
      }
      return ideas;
    },
  };
}
