/** A tiny seeded corpus for the collapse experiment's tests. */
import { Rng } from '../../experiments/collapse/index.js';

/** Texts from a small seeded "grammar": a skewed vocabulary, so that n-grams repeat and a tail exists. */
export function tinyCorpus(n: number, seed = 3, minSents = 2): string[] {
  const rng = new Rng(seed, 'tiny-corpus');
  const nouns = Array.from({ length: 120 }, (_, i) => `noun${i}`);
  const verbs = Array.from({ length: 40 }, (_, i) => `verb${i}`);
  const adjs = Array.from({ length: 60 }, (_, i) => `adj${i}`);
  const pick = (xs: string[]) => xs[Math.floor(xs.length * rng.next() ** 2.5)]!;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const sents: string[] = [];
    const ns = minSents + rng.int(3);
    for (let s = 0; s < ns; s++) sents.push(`the ${pick(adjs)} ${pick(nouns)} ${pick(verbs)} a ${pick(nouns)}${rng.next() < 0.3 ? ` with ${pick(nouns)}` : ''}.`);
    out.push(sents.join(' '));
  }
  return out;
}
