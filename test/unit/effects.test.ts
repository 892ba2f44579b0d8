/** One protocol for dedup effects (src/stage/effects.ts): the stream's applier and the nightly's applier commit
 * the same effect list to their state holders. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprint, resolveConfig } from '../../src/config/index.js';
import { createDedupScorer } from '../../src/score/dedup/scorer.js';
import { FilterCore } from '../../src/stage/core.js';
import { BackendEffects, ScorerEffects } from '../../src/stage/effects.js';
import { MemoryBackend, type LedgerNote } from '../../src/state/index.js';
import { fakeText, tmp } from '../helpers.js';

const cfg = resolveConfig({ diversity: { enabled: false }, origin: { enabled: false } });
const core = new FilterCore(cfg);
const a = { id: 'a', features: core.featuresOf(fakeText(1, 80)) };
const b = { id: 'b', features: core.featuresOf(fakeText(2, 80)) };

test('ScorerEffects: index and unindex reach the scorer in order; ledger notes have no holder in the stream', () => {
  const dedup = createDedupScorer();
  const fx = new ScorerEffects(dedup);
  fx.apply({ kind: 'index', ...a });
  fx.apply({ kind: 'index', ...b });
  assert.equal(dedup.score({}, a.features, { recordIndex: 0 }).of, 'a');
  fx.apply({ kind: 'unindex', ...a });
  assert.equal(dedup.score({}, a.features, { recordIndex: 0 }).kind, null);
  assert.equal(dedup.score({}, b.features, { recordIndex: 0 }).of, 'b');
  fx.apply({ kind: 'ledger', note: { hash: a.features.exactHash, run: 'r', label: 'human', pAi: null, emitted: true } });
  new ScorerEffects(null).apply({ kind: 'index', ...a }); // no dedup scorer: nothing to do, no error
});

test('BackendEffects: nothing reaches the backend before flush; ledger notes in full batches, index changes at the end', async () => {
  const backend = new MemoryBackend({ cfg, fingerprint: fingerprint(cfg), partition: `p-${Math.random()}`, workDir: tmp('sf-effects-') });
  await backend.open();
  const [va] = await backend.checkAndInsert([{ ...a, insert: true }]);
  const calls: string[] = [];
  const spy = new Proxy(backend, {
    get(t, k, r) {
      const v = Reflect.get(t, k, r);
      if (typeof v !== 'function' || !['ledgerNote', 'remove', 'join'].includes(String(k))) return v;
      return (...args: unknown[]) => {
        calls.push(`${String(k)}:${(args[0] as unknown[]).length}`);
        return (v as (...x: unknown[]) => unknown).apply(t, args);
      };
    },
  });
  const fx = new BackendEffects(spy, 2);
  const note = (emitted: boolean): LedgerNote => ({ hash: a.features.exactHash, run: 'r', label: 'human', pAi: null, emitted });
  fx.apply({ kind: 'ledger', note: note(true) });
  fx.apply({ kind: 'unindex', id: 'a', ref: va!.ref! });
  fx.apply({ kind: 'index', ...b });
  await fx.flush(false);
  assert.deepEqual(calls, [], 'one note is less than a batch');
  fx.apply({ kind: 'ledger', note: note(false) });
  await fx.flush(false);
  assert.deepEqual(calls, ['ledgerNote:2']);
  await fx.flush(true);
  assert.deepEqual(calls, ['ledgerNote:2', 'ledgerNote:0', 'remove:1', 'join:1']);
  const [again] = await backend.checkAndInsert([{ ...a, insert: false }, { ...b, insert: false }]);
  assert.equal(again!.dup.kind, null, 'a left the index');
  const [, vb] = await backend.checkAndInsert([{ ...a, insert: false }, { ...b, insert: false }]);
  assert.equal(vb!.dup.of, 'b', 'b joined the index');
});
