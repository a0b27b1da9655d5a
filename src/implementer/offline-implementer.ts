// The offline implementer: no model. Writes the knob settings of an offline ideator's idea exactly, as
// search/replace blocks.
import { ResearchError } from '../domain/errors.js';
import { own } from '../domain/own.js';
import { formatKnobValue } from '../environments/knob-values.js';
import type { Implementer, ImplementRequest } from './implementer.js';

/** Writes the idea's knob settings as search/replace blocks, one per changed line. */
export function createOfflineImplementer(): Implementer {
  return {
    name: 'offline',
    model: 'knob-edits',
    deterministic: true,
    async writeEdit(request: ImplementRequest): Promise<string> {
      const { manifest, idea, files } = request;
      if (!idea.knobs || Object.keys(idea.knobs).length === 0) {
        throw new ResearchError(
          'bad_input',
          'the offline implementer only implements knob ideas made by the offline provider; pass your own `edit`, or configure an LLM implementer',
        );
      }
      const blocks: string[] = [];
      for (const [name, value] of Object.entries(idea.knobs)) {
        const knob = own(manifest.knobs, name);
        if (!knob)
          throw new ResearchError(
            'bad_input',
            `idea ${idea.id} sets unknown knob ${name}; known: ${Object.keys(manifest.knobs).join(', ')}`,
          );
        const source = files[knob.file] ?? '';
        const line = source.match(new RegExp(`^${knob.variable}\\s*=.*$`, 'm'))?.[0];
        if (!line) throw new ResearchError('bad_input', `${knob.file} has no line assigning ${knob.variable}`);
        const comment = line.match(/\s+#.*$/)?.[0] ?? '';
        blocks.push(
          `${knob.file}\n<<<<<<< SEARCH\n${line}\n=======\n${knob.variable} = ${formatKnobValue(knob, value)}${comment}\n>>>>>>> REPLACE`,
        );
      }
      return blocks.join('\n\n') + '\n';
    },
  };
}
