// The offline ideator: no model. Proposes knob changes (new ones, or variants of good parents) that the offline
// implementer writes exactly. Used by the demo, tests, and as a classic baseline.
import { ResearchError } from '../domain/errors.js';
import { formatKnobValue, type KnobValue, readKnobValue } from '../environments/knob-values.js';
import type { Knob, Manifest } from '../environments/manifest.js';
import { createRandom, type Random } from '../util/random.js';
import type { Ideator, ProposedIdea, ProposeRequest } from './ideator.js';
import { knobMoves } from './knob-moves.js';

type Settings = Record<string, KnobValue>;

function defaults(manifest: Manifest, files: Record<string, string>): Settings {
  const settings: Settings = {};
  for (const [name, knob] of Object.entries(manifest.knobs)) {
    const source = files[knob.file];
    settings[name] = (source !== undefined ? readKnobValue(knob, source) : undefined) ?? knob.default;
  }
  return settings;
}

/** Canonical key of the settings that differ from the defaults. */
function settingsKey(settings: Settings, base: Settings): string {
  const diff = Object.keys(settings)
    .filter((name) => settings[name] !== base[name])
    .sort()
    .map((name) => [name, settings[name]]);
  return JSON.stringify(diff);
}

function describe(manifest: Manifest, settings: Settings, base: Settings): ProposedIdea {
  const changed = Object.keys(settings).filter((name) => settings[name] !== base[name]);
  const knob = (name: string): Knob => manifest.knobs[name] as Knob;
  const title = changed.map((name) => `${name} ${base[name]} → ${settings[name]}`).join(', ');
  const experiment = changed
    .map((name) => `set ${name} (${knob(name).description}) to ${settings[name]} instead of ${base[name]}`)
    .join('; ');
  const code = changed
    .map(
      (name) =>
        `in ${knob(name).file} set ${knob(name).variable} = ${formatKnobValue(knob(name), settings[name] as KnobValue)}`,
    )
    .join('; ');
  const knobs: Record<string, KnobValue> = {};
  for (const name of changed) knobs[name] = settings[name] as KnobValue;
  return {
    title,
    text: `[Experiment] ${experiment[0]?.toUpperCase()}${experiment.slice(1)}. [Code Changes] ${code}.`,
    knobs,
  };
}

function mutate(manifest: Manifest, settings: Settings, random: Random, changes: number): Settings {
  const next = { ...settings };
  const names = random.shuffle(Object.keys(manifest.knobs));
  for (const name of names.slice(0, changes)) {
    const moves = knobMoves(manifest.knobs[name] as Knob, next[name] as KnobValue);
    if (moves.length > 0) next[name] = random.pick(moves);
  }
  return next;
}

export function createOfflineIdeator(): Ideator {
  return {
    name: 'offline',
    model: 'knob-search',
    async propose(request: ProposeRequest): Promise<ProposedIdea[]> {
      const { manifest } = request;
      if (Object.keys(manifest.knobs).length === 0) {
        throw new ResearchError(
          'bad_input',
          `environment ${manifest.name} declares no knobs, so the offline provider has nothing to propose; configure an LLM provider`,
        );
      }
      const random = createRandom(request.seed);
      const base = defaults(manifest, request.files);
      const seen = new Set([settingsKey(base, base)]);
      for (const outcome of [...request.history, ...request.parents])
        seen.add(settingsKey({ ...base, ...(outcome.idea.knobs ?? {}) }, base));
      const parents = request.parents.filter((outcome) => outcome.idea.knobs);
      const ideas: ProposedIdea[] = [];
      for (let tries = 0; ideas.length < request.count && tries < request.count * 50; tries++) {
        let settings: Settings;
        let parentIds: string[] = [];
        if (request.kind === 'exploit' && parents.length > 0) {
          // Parents arrive best first: favour the top of the list.
          const parent = parents[Math.floor(parents.length * random.next() ** 2)] ?? parents[0];
          const parentSettings = { ...base, ...(parent?.idea.knobs ?? {}) };
          parentIds = parent ? [parent.idea.id] : [];
          const other = parents.length > 1 ? random.pick(parents) : undefined;
          if (other && other !== parent && random.next() < 0.5) {
            settings = { ...parentSettings, ...(other.idea.knobs ?? {}) };
            parentIds.push(other.idea.id);
          } else settings = mutate(manifest, parentSettings, random, 1);
        } else {
          settings = mutate(manifest, base, random, request.kind === 'explore' && random.next() < 0.5 ? 2 : 1);
        }
        const key = settingsKey(settings, base);
        if (seen.has(key)) continue;
        seen.add(key);
        ideas.push({ ...describe(manifest, settings, base), parentIds });
      }
      return ideas;
    },
  };
}
