/**
 * The tail rules and the running statistics they read: document frequencies of words (a count-min sketch) and
 * counts of the route.tail.rareStratum field's values over every non-quarantined record. A human or unknown record
 * is tail when its vocabulary is rare (rare_vocab) or its stratum is rare (rare_stratum); the router protects tail
 * records from soft rules, balancing and the synthetic cap. The nightly job persists the frequencies
 * (snapshot/restore).
 */
import type { Config } from '../config/index.js';
import { getPath } from '../config/index.js';
import type { OriginLabel } from '../types.js';
import type { Scored } from './records.js';
import { DocFreqSketch } from './sketch.js';

export class TailStats {
  private readonly df: DocFreqSketch;
  private docs = 0;
  private readonly strataSeen = new Map<string, number>();

  constructor(private readonly rc: Config['route']) {
    this.df = new DocFreqSketch(rc.seed);
  }

  /** Tail rules, in order; the first that fires names the rule. Reads statistics from before this record. */
  rule(s: Scored, label: OriginLabel, words: Uint32Array): string | null {
    const t = this.rc.tail;
    if (label === 'synthetic' || this.docs < this.rc.minDocs) return null;
    if (t.rareStratum.enabled && t.rareStratum.field) {
      const v = getPath(s.record, t.rareStratum.field);
      if (v !== undefined && v !== null) {
        const c = this.strataSeen.get(`tail:${String(v)}`) ?? 0;
        if ((c + 1) / (this.docs + 1) < t.rareStratum.maxShare) return 'rare_stratum';
      }
    }
    if (t.rareVocab.enabled) {
      const share = this.df.rareShare(words, t.rareVocab.maxDocFreq * this.docs, t.rareVocab.minWords);
      if (share !== null && share >= t.rareVocab.minShare) return 'rare_vocab';
    }
    return null;
  }

  /** Running statistics every non-quarantined record feeds, whatever its fate. */
  observe(s: Scored, words: Uint32Array): void {
    this.docs++;
    this.df.add(words);
    const f = this.rc.tail.rareStratum.field;
    if (this.rc.tail.enabled && this.rc.tail.rareStratum.enabled && f) {
      const v = getPath(s.record, f);
      if (v !== undefined && v !== null) {
        const k = `tail:${String(v)}`;
        this.strataSeen.set(k, (this.strataSeen.get(k) ?? 0) + 1);
      }
    }
  }

  /** Statistics the nightly job persists for the tail rule (document frequencies and counts). */
  snapshot(): { docs: number; df: Uint32Array } {
    return { docs: this.docs, df: this.df.table };
  }

  restore(snap: { docs: number; df: Uint32Array }): void {
    this.docs = snap.docs;
    this.df.table.set(snap.df);
  }
}
