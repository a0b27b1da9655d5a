// The behaviour every Store implementation shares; run it against each one (see test/unit/store).
import { afterEach, describe, expect, it } from 'vitest';

import type { CollectionName, Repository, Store } from '../../src/store/store.js';
import {
  makeExperiment,
  makeIdea,
  makeImplementation,
  makeLlmCall,
  makeRlEpoch,
  makeRlRollout,
  makeRlRun,
  makeSchedule,
  makeSearch,
} from '../fixtures/store/records.js';

export interface StoreHarness {
  store: Store;
  /** Closes the current store and opens the same data again (persistent stores only). */
  reopen?: () => Promise<Store>;
  cleanup: () => Promise<void>;
}

type AnyRecord = { id: string } & object;

const MAKERS: Record<CollectionName, (id: string) => AnyRecord> = {
  ideas: (id) => makeIdea(id),
  implementations: (id) => makeImplementation(id),
  experiments: (id) => makeExperiment(id),
  searches: (id) => makeSearch(id),
  llmCalls: (id) => makeLlmCall(id),
  schedules: (id) => makeSchedule(id),
  rlRuns: (id) => makeRlRun(id),
  rlEpochs: (id) => makeRlEpoch(id),
  rlRollouts: (id) => makeRlRollout(id),
};

function repo(store: Store, name: CollectionName): Repository<AnyRecord> {
  return store[name] as unknown as Repository<AnyRecord>;
}

export function runStoreContract(name: string, makeStore: () => Promise<StoreHarness>): void {
  describe(`Store contract: ${name}`, () => {
    let harness: StoreHarness | undefined;
    const open = async (): Promise<StoreHarness> => (harness = await makeStore());
    afterEach(async () => {
      await harness?.cleanup();
      harness = undefined;
    });

    for (const collection of Object.keys(MAKERS) as CollectionName[]) {
      it(`puts, gets, lists and counts ${collection}`, async () => {
        const { store } = await open();
        const records = ['a_1', 'a_2', 'a_3'].map(MAKERS[collection]);
        for (const record of records) await repo(store, collection).put(record);
        expect(await repo(store, collection).count()).toBe(3);
        expect(await repo(store, collection).get('a_2')).toEqual(records[1]);
        expect(await repo(store, collection).get('missing')).toBeUndefined();
        expect(await repo(store, collection).list()).toEqual(records);
        expect(await repo(store, collection).list((r) => r.id !== 'a_1')).toEqual(records.slice(1));
      });
    }

    it('keeps collections apart', async () => {
      const { store } = await open();
      await store.ideas.put(makeIdea('same'));
      expect(await store.experiments.get('same')).toBeUndefined();
      expect(await store.experiments.count()).toBe(0);
    });

    it('replaces a record on update, keeping its place and the count', async () => {
      const { store } = await open();
      for (const id of ['x_1', 'x_2', 'x_3']) await store.ideas.put(makeIdea(id));
      await store.ideas.put(makeIdea('x_2', 'renamed'));
      expect((await store.ideas.get('x_2'))?.title).toBe('renamed');
      expect(await store.ideas.count()).toBe(3);
      expect((await store.ideas.list()).map((idea) => idea.id)).toEqual(['x_1', 'x_2', 'x_3']);
    });

    it('lists in insertion order, whatever the ids look like', async () => {
      const { store } = await open();
      const ids = ['zeta', '10', '2', 'alpha', '1', 'exp_b', 'exp_a', '0'];
      for (const id of ids) await store.experiments.put(makeExperiment(id));
      expect((await store.experiments.list()).map((e) => e.id)).toEqual(ids);
    });

    it('is isolated from callers mutating what they put or got', async () => {
      const { store } = await open();
      const idea = makeIdea('iso');
      await store.ideas.put(idea);
      idea.title = 'mutated after put';
      idea.parentIds.push('p');
      const got = await store.ideas.get('iso');
      expect(got?.title).toBe('idea iso');
      got!.title = 'mutated after get';
      got!.origin.model = 'other';
      const [listed] = await store.ideas.list();
      listed!.parentIds.push('q');
      expect(await store.ideas.get('iso')).toEqual(makeIdea('iso'));
    });

    it('does not let a list filter change stored records', async () => {
      const { store } = await open();
      await store.ideas.put(makeIdea('f_1'));
      try {
        await store.ideas.list((idea) => {
          idea.title = 'changed by a filter';
          return true;
        });
      } catch {
        // a store may refuse the mutation (frozen records) rather than ignore it
      }
      expect(await store.ideas.get('f_1')).toEqual(makeIdea('f_1'));
    });

    it('views the stored records without copies: equal to list, frozen, untouched by a later put', async () => {
      const { store } = await open();
      for (const id of ['v_1', 'v_2', 'v_3']) await store.experiments.put(makeExperiment(id));
      expect(await store.experiments.view()).toEqual(await store.experiments.list());
      const [viewed] = await store.experiments.view((e) => e.id === 'v_2');
      expect(viewed).toEqual(makeExperiment('v_2'));
      expect(Object.isFrozen(viewed)).toBe(true);
      expect(Object.isFrozen(viewed?.runs)).toBe(true);
      expect(() => {
        (viewed as { state: string }).state = 'failed';
      }).toThrow(TypeError);
      await store.experiments.put(makeExperiment('v_2', 7));
      expect(viewed).toEqual(makeExperiment('v_2'));
      expect((await store.experiments.view((e) => e.id === 'v_2'))[0]?.result?.reward).toBe(7);
      // What list and get hand out stays the caller's own.
      const [listed] = await store.experiments.list((e) => e.id === 'v_1');
      listed!.state = 'failed';
      expect((await store.experiments.get('v_1'))?.state).toBe(makeExperiment('v_1').state);
    });

    it('keeps a "__proto__" key of a stored record as data in the copies it hands out', async () => {
      const { store } = await open();
      const search = { ...makeSearch('p_1', []), options: JSON.parse('{"__proto__": {"polluted": true}, "k": 1}') };
      await store.searches.put(search);
      const got = await store.searches.get('p_1');
      expect(Object.getPrototypeOf(got!.options)).toBe(Object.prototype);
      expect(Object.keys(got!.options)).toEqual(['__proto__', 'k']);
      expect((got!.options as { polluted?: boolean }).polluted).toBeUndefined();
      expect(got).toEqual(search);
    });

    it('keeps all of 200 parallel puts, and the last of parallel updates', async () => {
      const { store } = await open();
      const ids = Array.from({ length: 200 }, (_, i) => `par_${String(i).padStart(3, '0')}`);
      await Promise.all(ids.map((id) => store.experiments.put(makeExperiment(id))));
      expect(await store.experiments.count()).toBe(200);
      expect((await store.experiments.list()).map((e) => e.id)).toEqual(ids);
      await Promise.all([1, 2, 3, 4, 5].map((reward) => store.experiments.put(makeExperiment('par_007', reward))));
      expect((await store.experiments.get('par_007'))?.result?.reward).toBe(5);
    });

    it('keeps everything across a reopen, across segment boundaries', async (context) => {
      const first = await open();
      if (!first.reopen) return context.skip('not a persistent store');
      const ids = Array.from({ length: 53 }, (_, i) => `exp_${String(i).padStart(3, '0')}`);
      await Promise.all(ids.slice(0, 30).map((id) => first.store.experiments.put(makeExperiment(id))));
      for (const id of ids.slice(30)) await first.store.experiments.put(makeExperiment(id));
      await first.store.experiments.put(makeExperiment('exp_001', 9)); // update in the first segment
      await first.store.ideas.put(makeIdea('idea_1'));
      await first.store.implementations.put(makeImplementation('impl_1'));
      await first.store.searches.put(makeSearch('search_1', ids));

      let store = await first.reopen();
      const expected = ids.map((id) => makeExperiment(id, id === 'exp_001' ? 9 : 1));
      expect(await store.experiments.list()).toEqual(expected);
      expect(await store.ideas.get('idea_1')).toEqual(makeIdea('idea_1'));
      expect(await store.implementations.get('impl_1')).toEqual(makeImplementation('impl_1'));
      expect(await store.searches.get('search_1')).toEqual(makeSearch('search_1', ids));

      await store.experiments.put(makeExperiment('exp_new'));
      await store.experiments.put(makeExperiment('exp_040', 4));
      store = await first.reopen();
      expect(await store.experiments.count()).toBe(54);
      expect((await store.experiments.get('exp_040'))?.result?.reward).toBe(4);
      expect((await store.experiments.list()).at(-1)?.id).toBe('exp_new');
    });
  });
}
