// The offline ideator: no model. A classical baseline worth beating: an adaptive local search over the knobs
// (pattern moves from the best result, step size by the 1/5th success rule, directions that worked followed),
// whose ideas the offline implementer writes exactly. Used by the demo, tests, and as the control for LLM ideators.
import { ResearchError } from '../domain/errors.js';
import { formatKnobValue, type KnobValue, readKnobValue } from '../environments/knob-values.js';
import type { Knob, Manifest } from '../environments/manifest.js';
import { createRandom, type Random } from '../util/random.js';
import type { Ideator, ProposedIdea, ProposeRequest } from './ideator.js';
import { knobMoves, knobStep } from './knob-moves.js';
import { directionKey, type KnobSearchState, replayKnobTrials, type Settings } from './knob-search.js';

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

interface Anchor {
  id?: string;
  settings: Settings;
  rank: number;
}

interface Move {
  settings: Settings;
  parentIds: string[];
  priority: number;
}

/** How promising a one-knob move is: follow directions that beat their parent, avoid those that did not. */
function movePriority(
  state: KnobSearchState | undefined,
  knob: Knob,
  name: string,
  from: KnobValue,
  to: KnobValue,
  explore: boolean,
): number {
  let priority = knob.scale === 'log' ? 0.5 : 0; // a log-scale knob spans orders of magnitude: big effects live there
  if (!state) return priority;
  const stats = state.directions.get(directionKey(name, from, to));
  const opposite = typeof to === 'number' ? state.directions.get(directionKey(name, to, from)) : undefined;
  // Exploit follows what worked; explore gives it little weight and favours knobs not moved yet.
  priority += (explore ? 0.5 : 2) * (stats?.successes ?? 0) - (stats?.failures ?? 0);
  priority += 0.5 * (opposite?.failures ?? 0) - 0.5 * (opposite?.successes ?? 0);
  const knobTried = [...state.directions.keys()].some(
    (key) => key.startsWith(`${name}:`) || key.startsWith(`${name}=`),
  );
  if (!knobTried) priority += explore ? 2 : 0.5;
  return priority;
}

/** Single-knob moves from each anchor, then pairs of the best ones (and, in exploit, crossovers of two parents). */
function candidateMoves(
  manifest: Manifest,
  anchors: readonly Anchor[],
  state: KnobSearchState | undefined,
  step: number,
  explore: boolean,
  random: Random,
  base: Settings,
): Move[] {
  const moves: Move[] = [];
  for (const anchor of anchors) {
    const singles: { name: string; move: Move }[] = [];
    for (const [name, knob] of Object.entries(manifest.knobs)) {
      const from = anchor.settings[name] as KnobValue;
      const targets =
        knob.type === 'choice'
          ? knobMoves(knob, from)
          : ([1, -1] as const).map((direction) => knobStep(knob, from, direction, step));
      for (const to of targets) {
        if (to === undefined) continue;
        const jitter = random.next() * 0.4;
        const priority = movePriority(state, knob, name, from, to, explore) + jitter - 0.75 * anchor.rank;
        const move = {
          settings: { ...anchor.settings, [name]: to },
          parentIds: anchor.id ? [anchor.id] : [],
          priority,
        };
        singles.push({ name, move });
      }
    }
    singles.sort((a, b) => b.move.priority - a.move.priority);
    moves.push(...singles.map((single) => single.move));
    // Pattern moves: two promising changes at once (more of them when exploring).
    const top = singles.slice(0, 4);
    for (let i = 0; i < top.length; i++) {
      for (let j = i + 1; j < top.length; j++) {
        const a = top[i] as { name: string; move: Move };
        const b = top[j] as { name: string; move: Move };
        if (a.name === b.name) continue;
        moves.push({
          settings: { ...a.move.settings, [b.name]: b.move.settings[b.name] as KnobValue },
          parentIds: a.move.parentIds,
          priority: (a.move.priority + b.move.priority) / 2 - (explore ? 0.25 : 0.75),
        });
      }
    }
  }
  // Crossover: the best parent with another parent's changes (both beat their own parents, so the gains may add up).
  const [first, ...others] = anchors;
  if (first?.id && state && !explore) {
    for (const other of others) {
      if (!other.id) continue;
      moves.push({
        settings: { ...first.settings, ...diffFrom(other.settings, base) },
        parentIds: [first.id, other.id],
        priority: 1 + random.next() * 0.3 - 0.5 * other.rank,
      });
    }
  }
  return moves.sort((a, b) => b.priority - a.priority);
}

/** The knobs a setting changes from the defaults (the part a crossover carries over). */
function diffFrom(settings: Settings, base: Settings): Settings {
  const out: Settings = {};
  for (const name of Object.keys(settings)) if (settings[name] !== base[name]) out[name] = settings[name] as KnobValue;
  return out;
}

export function createOfflineIdeator(): Ideator {
  return {
    name: 'offline',
    model: 'knob-search',
    local: true,
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
      // Settings tried elsewhere in the environment are never proposed again (seed ideas included).
      for (const idea of request.avoid ?? []) if (idea.knobs) seen.add(settingsKey({ ...base, ...idea.knobs }, base));
      // Seed ideas are independent samples around the defaults (best-of-n's control arm must not adapt); exploit
      // and explore adapt to what the history shows.
      const adaptive = request.kind !== 'seed';
      const state = adaptive ? replayKnobTrials(manifest, base, request.history) : undefined;
      const parents = request.parents.filter((outcome) => outcome.idea.knobs);
      let anchors: Anchor[];
      if (request.kind === 'exploit' && parents.length > 0)
        anchors = parents.map((outcome, rank) => ({
          id: outcome.idea.id,
          settings: { ...base, ...(outcome.idea.knobs ?? {}) },
          rank,
        }));
      else if (state?.best) anchors = [{ id: state.best.id, settings: state.best.settings, rank: 0 }];
      else anchors = [{ settings: base, rank: 0 }];
      const explore = request.kind === 'explore';
      const step = (state?.step ?? 1) * (explore ? 1.5 : 1);
      const ideas: ProposedIdea[] = [];
      const take = (settings: Settings, parentIds: string[]): void => {
        const key = settingsKey(settings, base);
        if (seen.has(key) || ideas.length >= request.count) return;
        seen.add(key);
        ideas.push({ ...describe(manifest, settings, base), parentIds });
      };
      for (const move of candidateMoves(manifest, anchors, state, step, explore, random, base))
        take(move.settings, move.parentIds);
      // Every planned move was tried already: random moves, more knobs at a time as the neighbourhood fills up.
      for (let tries = 0; ideas.length < request.count && tries < request.count * 50; tries++) {
        const anchor = anchors[tries % anchors.length] as Anchor;
        take(mutate(manifest, anchor.settings, random, 1 + Math.floor(tries / 10)), anchor.id ? [anchor.id] : []);
      }
      return ideas;
    },
  };
}
