// propose_idea: new research ideas for an environment, from the configured ideator (offline, an LLM, or the client).
import { z } from 'zod';

import { IdeaCount } from '../src/domain/limits.js';
import { IdeaShape, ideaOutput } from '../src/services/views.js';
import { defineTool } from './define-tool.js';

export const proposeIdea = defineTool({
  name: 'propose_idea',
  title: 'Propose research ideas',
  description:
    'Asks the configured ideator for new ideas to improve an environment’s metric and stores them. Each idea has an id, a title and a text saying what to try and which code to change. Give parent_ids to build on ideas that worked (exploit), guidance to steer. Next: implement_idea with an idea id. You may also skip this and pass your own idea text to implement_idea.',
  kind: 'generate',
  input: z.object({
    environment: z.string().min(1).max(100).describe('environment name from list_environments'),
    count: IdeaCount.optional().describe('how many ideas (default 5)'),
    guidance: z.string().max(4000).optional().describe('what to focus on or avoid, in words'),
    parent_ids: z
      .array(z.string().min(1).max(100))
      .max(20)
      .optional()
      .describe('ids of earlier ideas to build on (from propose_idea)'),
  }),
  output: z.object({ ideas: z.array(IdeaShape) }),
  async handle({ services, signal, log }, input) {
    const ideas = await services.proposeIdeas(
      {
        environment: input.environment,
        count: input.count,
        guidance: input.guidance,
        parentIds: input.parent_ids,
      },
      signal,
    );
    log.info(`proposed ${ideas.length} idea(s) for ${input.environment}`);
    return { ideas: ideas.map(ideaOutput) };
  },
  summarize({ ideas }) {
    const first = ideas[0];
    if (!first) return { summary: 'No ideas were proposed; call propose_idea again with other guidance.' };
    return {
      summary: `Proposed ${ideas.length} idea(s): ${ideas
        .map((idea) => `${idea.id} "${idea.title}"`)
        .join('; ')
        .slice(0, 600)}. Implement the ones worth trying with implement_idea.`,
      next: { tool: 'implement_idea', arguments: { idea_id: first.id } },
    };
  },
  render({ ideas }) {
    if (ideas.length === 0) return 'no ideas proposed';
    return [
      ...ideas.map((idea) => `- ${idea.id}: ${idea.title}\n  ${idea.text.replace(/\n/g, '\n  ')}`),
      '',
      'Next: implement_idea { idea_id } for the ones worth trying.',
    ].join('\n');
  },
});
