/**
 * Exact-duplicate scorer: 64-bit hash of the normalised text. Used when near-duplicate detection is off.
 */
import type { DedupScorer } from './registry.js';

export function createExactScorer(): DedupScorer {
  const seen = new Map<string, string>();
  return {
    score(_r, f) {
      const of = seen.get(f.exactHex);
      return of === undefined ? { kind: null, of: null, similarity: null } : { kind: 'exact', of, similarity: 1 };
    },
    commit(id, f) {
      if (!seen.has(f.exactHex)) seen.set(f.exactHex, id);
    },
    remove(id, f) {
      if (seen.get(f.exactHex) === id) seen.delete(f.exactHex);
    },
  };
}
