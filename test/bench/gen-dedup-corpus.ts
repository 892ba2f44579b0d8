/**
 * Seeded generator of a web-like text corpus with planted duplicates, for test/bench/dedup.ts.
 *
 * Text: a synthetic vocabulary (syllable-built nouns, verbs, adjectives, names, places) sampled with Zipfian
 * frequencies, a per-document topic that skews word choice, and ~20 sentence templates; documents are ~1 KB
 * (log-normal length). Web structure: ~300 "sites" with Zipf-distributed traffic, each with its own header and
 * footer boilerplate (shared verbatim by every page of the site: high-frequency shingles and hard negatives),
 * and "form" documents filled from ~60 templates with a varying number of slots (pairs land on both sides of
 * any Jaccard threshold).
 *
 * Planted duplicates (of an earlier document, often a recent one; sometimes of an earlier near-duplicate):
 *   exact: verbatim copies, or copies that differ only in case/whitespace (identical after normalisation);
 *   near:  1-3 realistic web/ETL edits: other boilerplate or a notice added, truncation, entity noise (names,
 *          numbers, years replaced), sentence reordering, typos, inserted sentences, whitespace/case noise.
 * Short texts (< 5 words) are planted too: common phrases that repeat, and unique ones.
 *
 * This module only plants; the ground truth used for scoring is computed exhaustively by dedup.ts.
 *
 * CLI: node --import tsx test/bench/gen-dedup-corpus.ts [--docs N] [--seed S] [--out file.jsonl]
 */
import { writeFileSync } from 'node:fs';
import { fmix32 } from '../../src/text/hash.js';

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = fmix32((seed ^ 0x3c6ef372) >>> 0) | 0;
  }
  /** uniform uint32 (Weyl sequence through fmix32) */
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    return fmix32(this.s ^ 0xa54ff53a);
  }
  /** uniform [0, 1) with 53 random bits */
  float(): number {
    return (this.u32() * 2 ** 21 + (this.u32() >>> 11)) / 2 ** 53;
  }
  int(n: number): number {
    return Math.floor(this.float() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** Zipf(s) sampler over ranks 0..n-1 via the inverse CDF. */
export class Zipf {
  private readonly cdf: Float64Array;
  constructor(n: number, s: number) {
    this.cdf = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) this.cdf[i] = acc += 1 / Math.pow(i + 1, s);
    for (let i = 0; i < n; i++) this.cdf[i]! /= acc;
  }
  sample(r: Rng): number {
    const u = r.float();
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

const ONSETS = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'cr', 'dr', 'fl', 'gr', 'pl', 'pr', 'sh', 'st', 'th', 'tr', 'ch', 'sk', 'bl'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou', 'ee', 'oa', 'y'];
const CODAS = ['', '', '', 'n', 'r', 's', 't', 'l', 'm', 'nd', 'st', 'ck', 'rt', 'ng'];
const SUFFIX = {
  noun: ['', '', '', 'tion', 'ment', 'ness', 'ity', 'er', 'ism', 'age'],
  verb: ['s', 'ed', 'ed', 'es', 'ized', 'ates'],
  adj: ['al', 'ous', 'ive', 'ful', 'ic', 'ent', 'able', 'less'],
} as const;

const DET = ['the', 'the', 'the', 'a', 'this', 'that', 'every', 'some', 'each', 'our', 'their', 'its', 'the', 'one'];
const PREP = ['in', 'on', 'at', 'with', 'from', 'for', 'by', 'about', 'under', 'over', 'between', 'through', 'after', 'before', 'during', 'near', 'across'];
const CONJ = ['and', 'but', 'while', 'because', 'although', 'so', 'since', 'whereas'];
const ADVS = ['quickly', 'rarely', 'often', 'never', 'slowly', 'quietly', 'openly', 'mostly', 'nearly', 'clearly', 'suddenly', 'finally', 'usually', 'largely'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Sentence patterns; tokens in braces are filled, everything else is literal. */
const PATTERNS = [
  '{D} {A} {N} {V} {D} {N} {P} {D} {N}.',
  'In {YEAR}, {NAME} {V} {D} {N} {P} {PLACE}.',
  '{D} {N} {P} {D} {A} {N} {V} {ADV}.',
  '{NAME} said that {D} {N} {V} {P} {NUM} {N}.',
  'According to {NAME}, {D} {A} {N} {V} {D} {N} {C} {D} {N} {V}.',
  'There are {NUM} {N} {P} {PLACE}, {C} {D} {N} {V} {A}.',
  '{D} {N} {V} {D} {A} {N}, {C} {NAME} {V} {D} {N} {P} {D} {N}.',
  '{P} {D} {N}, {D} {A} {N} {V} {ADV} {P} {D} {N}.',
  'Many {N} {V} {D} {N} {P} {YEAR}.',
  '{D} {N} of {D} {N} {V} {NUM} percent {P} {YEAR}.',
  'On {MONTH} {DAY}, {NAME} of {PLACE} {V} {D} {A} {N}.',
  'It is {A} that {D} {N} {V} {D} {N}.',
  '{D} {A} {N} {C} {D} {A} {N} {V} {P} {D} {N} {P} {PLACE}.',
  'Why {V} {D} {N} {V} {D} {N}?',
  '{NAME} and {NAME} {V} {D} {N} {P} {D} {A} {N}.',
  'The {N} {V} {ADV}, {C} the {N} {V} {D} {N}.',
  'Experts in {PLACE} {V} {D} {A} {N} {P} {NUM} {N}.',
  '{D} {N} {V} {D} {N} {P} {D} {N} {C} {D} {N} {V} {ADV}.',
  'For {D} {N}, {D} {N} {V} {A} {P} {MONTH}.',
  '{NUM} {A} {N} {V} {P} {D} {N} {P} {YEAR}.',
];

export interface Lexicon {
  noun: string[];
  verb: string[];
  adj: string[];
  name: string[];
  place: string[];
}

function makeWords(r: Rng, n: number, kind: 'noun' | 'verb' | 'adj' | 'name' | 'place', seen: Set<string>): string[] {
  const out: string[] = [];
  while (out.length < n) {
    const syl = r.chance(0.45) ? 1 : r.chance(0.8) ? 2 : 3;
    let w = '';
    for (let i = 0; i < syl; i++) w += r.pick(ONSETS) + r.pick(VOWELS) + (i === syl - 1 || r.chance(0.15) ? r.pick(CODAS) : '');
    if ((kind === 'noun' || kind === 'verb' || kind === 'adj') && (syl < 3 || kind === 'verb')) w += r.pick(SUFFIX[kind]);
    if (kind === 'name' || kind === 'place') {
      if (kind === 'place' && r.chance(0.2)) w += r.pick(['ville', 'burg', 'ton', 'ford', 'port']);
      w = w[0]!.toUpperCase() + w.slice(1);
    }
    if (w.length < 3 || seen.has(w.toLowerCase())) continue;
    seen.add(w.toLowerCase());
    out.push(w);
  }
  return out;
}

export function makeLexicon(r: Rng): Lexicon {
  const seen = new Set<string>();
  return {
    noun: makeWords(r, 12000, 'noun', seen),
    verb: makeWords(r, 3000, 'verb', seen),
    adj: makeWords(r, 4000, 'adj', seen),
    name: makeWords(r, 3000, 'name', seen),
    place: makeWords(r, 1500, 'place', seen),
  };
}

/** A document kept as parts so later edits can work on sentences and boilerplate. */
export interface DocParts {
  header: string | null;
  sents: string[];
  footer: string | null;
}

export function joinParts(p: DocParts): string {
  const body = p.sents.join(' ');
  return [p.header, body, p.footer].filter((x): x is string => x !== null && x.length > 0).join('\n\n');
}

interface Topic {
  noun: number[];
  verb: number[];
  adj: number[];
}

export type PlantKind = 'base' | 'form' | 'near' | 'exact' | 'short';
export interface GenMeta {
  kind: PlantKind;
  /** index of the planted source document, -1 for originals */
  src: number;
  edits: string[];
}
export interface GenRecord {
  id: string;
  text: string;
}
export interface GenOptions {
  docs: number;
  seed: number;
  nearRate: number;
  exactRate: number;
  shortRate: number;
  formRate: number;
}
/** Bump when the generator's output changes (cache file names include it). */
export const GEN_VERSION = 1;
export const GEN_DEFAULTS: GenOptions = { docs: 100_000, seed: 42, nearRate: 0.13, exactRate: 0.05, shortRate: 0.03, formRate: 0.05 };

class Writer {
  readonly zN: Zipf;
  readonly zV: Zipf;
  readonly zA: Zipf;
  readonly zName: Zipf;
  readonly zPlace: Zipf;
  readonly zTopicWord = new Zipf(300, 1.0);
  readonly topics: Topic[] = [];

  constructor(readonly r: Rng, readonly lex: Lexicon) {
    this.zN = new Zipf(lex.noun.length, 1.05);
    this.zV = new Zipf(lex.verb.length, 1.05);
    this.zA = new Zipf(lex.adj.length, 1.05);
    this.zName = new Zipf(lex.name.length, 0.9);
    this.zPlace = new Zipf(lex.place.length, 0.9);
    for (let t = 0; t < 200; t++) {
      const pickIdx = (n: number, k: number) => Array.from({ length: k }, () => r.int(n));
      this.topics.push({ noun: pickIdx(lex.noun.length, 300), verb: pickIdx(lex.verb.length, 300), adj: pickIdx(lex.adj.length, 300) });
    }
  }

  word(kind: 'N' | 'V' | 'A', topic: Topic | null): string {
    const r = this.r;
    const lex = this.lex;
    const fromTopic = topic !== null && r.chance(0.55);
    if (kind === 'N') return lex.noun[fromTopic ? topic!.noun[this.zTopicWord.sample(r)]! : this.zN.sample(r)]!;
    if (kind === 'V') return lex.verb[fromTopic ? topic!.verb[this.zTopicWord.sample(r)]! : this.zV.sample(r)]!;
    return lex.adj[fromTopic ? topic!.adj[this.zTopicWord.sample(r)]! : this.zA.sample(r)]!;
  }

  fill(slot: string, topic: Topic | null): string {
    const r = this.r;
    switch (slot) {
      case 'D':
        return r.pick(DET);
      case 'P':
        return r.pick(PREP);
      case 'C':
        return r.pick(CONJ);
      case 'ADV':
        return r.pick(ADVS);
      case 'N':
      case 'V':
      case 'A':
        return this.word(slot, topic);
      case 'NAME':
        return this.lex.name[this.zName.sample(r)]! + (r.chance(0.3) ? ' ' + this.lex.name[this.zName.sample(r)]! : '');
      case 'PLACE':
        return this.lex.place[this.zPlace.sample(r)]!;
      case 'NUM':
        return r.chance(0.5) ? String(r.range(2, 99)) : String(r.range(100, 20000));
      case 'YEAR':
        return String(r.range(1950, 2024));
      case 'MONTH':
        return r.pick(MONTHS);
      case 'DAY':
        return String(r.range(1, 28));
      default:
        return slot;
    }
  }

  sentence(topic: Topic | null): string {
    const pat = this.r.pick(PATTERNS);
    const s = pat.replace(/\{([A-Z]+)\}/g, (_m, k: string) => this.fill(k, topic));
    return s[0]!.toUpperCase() + s.slice(1);
  }

  topic(): Topic {
    return this.r.pick(this.topics);
  }
}

interface Site {
  header: string;
  footer: string;
}

function makeSites(w: Writer, n: number): Site[] {
  const r = w.r;
  const sites: Site[] = [];
  for (let i = 0; i < n; i++) {
    const name = w.lex.place[r.int(w.lex.place.length)]! + ' ' + r.pick(['Times', 'Daily', 'Review', 'Journal', 'Hub', 'Post', 'Wiki', 'Forum', 'Blog', 'News']);
    const nav = Array.from({ length: r.range(4, 9) }, () => w.word('N', null));
    const header = `${name} | Home | ${nav.join(' | ')} | Contact`;
    const extra = Array.from({ length: r.range(1, 3) }, () => w.sentence(null)).join(' ');
    const footer = `Copyright ${r.range(2001, 2024)} ${name}. All rights reserved. ${extra} Privacy policy | Terms of use | ${r.pick(['Advertise with us', 'Careers', 'Sitemap', 'Help center'])}`;
    sites.push({ header, footer });
  }
  return sites;
}

const NOTICES = [
  'This site uses cookies to improve your experience. By continuing to browse you agree to our use of cookies.',
  'Subscribe to our newsletter to get the latest stories delivered to your inbox every week.',
  'Share this article on social media. Follow us for more updates.',
  'Advertisement. Continue reading below.',
  'Related articles: you may also like these stories from our editors.',
  'Sign up for free to read the full story and leave comments.',
  'This article was originally published elsewhere and is reproduced with permission.',
  'Please enable JavaScript to view the comments powered by our discussion platform.',
];

const SHORT_COMMON = [
  'thanks for sharing', 'great post', 'click here', 'read more', 'subscribe now', 'ok', 'nice', 'first!', 'page not found',
  'loading...', 'thank you so much', 'see more', 'this is great', 'agreed', 'lol', 'no comment', 'good article',
  'access denied', 'sign in', 'log in to reply', 'under construction', 'coming soon', 'back to top', 'all rights reserved',
];

function typo(r: Rng, w: string): string {
  if (w.length < 2) return w + r.pick(['e', 'a', 's']);
  const i = r.int(w.length - 1);
  const op = r.int(4);
  const c = String.fromCharCode(97 + r.int(26));
  if (op === 0) return w.slice(0, i) + w.slice(i + 1); // deletion
  if (op === 1) return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2); // transposition
  if (op === 2) return w.slice(0, i) + c + w.slice(i + 1); // substitution
  return w.slice(0, i) + c + w.slice(i); // insertion
}

function mapWords(s: string, f: (w: string, i: number) => string): string {
  return s.split(' ').map(f).join(' ');
}

/** Apply one named edit to a copy of the parts. */
function applyEdit(w: Writer, sites: Site[], p: DocParts, edit: string): DocParts {
  const r = w.r;
  const q: DocParts = { header: p.header, sents: p.sents.slice(), footer: p.footer };
  const n = q.sents.length;
  switch (edit) {
    case 'boilerplate': {
      const site = r.pick(sites);
      const v = r.int(4);
      if (v === 0) q.header = site.header;
      else if (v === 1) q.footer = site.footer;
      else if (v === 2) q.sents.unshift(r.pick(NOTICES));
      else q.sents.push(r.pick(NOTICES));
      break;
    }
    case 'truncate': {
      if (n <= 2) break;
      if (r.chance(0.5)) {
        const drop = r.range(1, Math.max(1, Math.ceil(n * 0.3)));
        q.sents.length = Math.max(1, n - drop);
      } else {
        const last = q.sents[n - 1]!.split(' ');
        q.sents[n - 1] = last.slice(0, Math.max(1, r.int(last.length))).join(' ') + '...';
      }
      if (r.chance(0.5)) q.footer = null;
      break;
    }
    case 'entity': {
      let k = r.range(1, 6);
      for (let tries = 0; k > 0 && tries < 50; tries++) {
        const si = r.int(n);
        const ws = q.sents[si]!.split(' ');
        const cands = ws.map((x, i) => (i > 0 && /^[A-Z0-9]/.test(x) ? i : -1)).filter((i) => i >= 0);
        if (cands.length === 0) continue;
        const wi = r.pick(cands);
        const tail = ws[wi]!.match(/[.,?!]+$/)?.[0] ?? '';
        ws[wi] = (/^\d/.test(ws[wi]!) ? String(r.range(2, 20000)) : w.lex.name[w.zName.sample(r)]!) + tail;
        q.sents[si] = ws.join(' ');
        k--;
      }
      break;
    }
    case 'reorder': {
      if (n < 3) break;
      const i = r.int(n);
      const [s] = q.sents.splice(i, 1);
      q.sents.splice(r.int(n - 1), 0, s!);
      break;
    }
    case 'typos': {
      const k = r.range(1, 8);
      for (let t = 0; t < k; t++) {
        const si = r.int(n);
        const ws = q.sents[si]!.split(' ');
        const wi = r.int(ws.length);
        ws[wi] = typo(r, ws[wi]!);
        q.sents[si] = ws.join(' ');
      }
      break;
    }
    case 'insert': {
      const k = r.range(1, 2);
      for (let t = 0; t < k; t++) q.sents.splice(r.int(q.sents.length + 1), 0, w.sentence(null));
      break;
    }
    case 'casews': {
      q.sents = q.sents.map((s) => (r.chance(0.2) ? mapWords(s, (x) => (r.chance(0.1) ? x.toUpperCase() : x)) : s));
      if (r.chance(0.5)) q.sents = q.sents.map((s) => (r.chance(0.2) ? s + '\n' : s));
      if (r.chance(0.5)) q.sents = q.sents.map((s) => s.replace(/ /g, () => (r.chance(0.03) ? '  ' : ' ')));
      break;
    }
  }
  return q;
}

const EDITS = ['boilerplate', 'truncate', 'entity', 'reorder', 'typos', 'insert'];

interface Form {
  sents: string[][]; // words; slot positions hold null placeholders marked in `slots`
  slots: Array<[number, number, 'N' | 'V' | 'A' | 'NAME' | 'NUM' | 'PLACE']>;
  topic: Topic;
}

function makeForms(w: Writer, n: number): Form[] {
  const r = w.r;
  const forms: Form[] = [];
  for (let i = 0; i < n; i++) {
    const topic = w.topic();
    const sents = Array.from({ length: r.range(8, 16) }, () => w.sentence(topic).split(' '));
    const m = r.range(2, 24);
    const slots: Form['slots'] = [];
    for (let k = 0; k < m; k++) {
      const si = r.int(sents.length);
      slots.push([si, r.int(sents[si]!.length), r.pick(['N', 'V', 'A', 'NAME', 'NUM', 'PLACE'] as const)]);
    }
    forms.push({ sents, slots, topic });
  }
  return forms;
}

function fillForm(w: Writer, f: Form): DocParts {
  const sents = f.sents.map((s) => s.slice());
  for (const [si, wi, kind] of f.slots) {
    const tail = sents[si]![wi]!.match(/[.,?!]+$/)?.[0] ?? '';
    sents[si]![wi] = w.fill(kind, f.topic) + tail;
  }
  return { header: null, sents: sents.map((s) => s.join(' ')), footer: null };
}

export function generateCorpus(opts: Partial<GenOptions> = {}): { records: GenRecord[]; meta: GenMeta[] } {
  const o = { ...GEN_DEFAULTS, ...opts };
  const r = new Rng(o.seed);
  const lex = makeLexicon(r);
  const w = new Writer(r, lex);
  const sites = makeSites(w, 300);
  const zSite = new Zipf(sites.length, 1.0);
  const forms = makeForms(w, 60);
  const parts: Array<DocParts | null> = [];
  const records: GenRecord[] = [];
  const meta: GenMeta[] = [];
  const width = String(o.docs).length;
  const pickSource = (i: number): number => {
    for (let t = 0; t < 20; t++) {
      const j = r.chance(0.5) ? Math.max(0, i - 1 - r.int(2000)) : r.int(i);
      if (parts[j] !== null && parts[j] !== undefined) return j;
    }
    return -1;
  };
  for (let i = 0; i < o.docs; i++) {
    const u = r.float();
    let kind: PlantKind;
    if (i < 20) kind = 'base';
    else if (u < o.shortRate) kind = 'short';
    else if (u < o.shortRate + o.exactRate) kind = 'exact';
    else if (u < o.shortRate + o.exactRate + o.nearRate) kind = 'near';
    else if (u < o.shortRate + o.exactRate + o.nearRate + o.formRate) kind = 'form';
    else kind = 'base';
    let text: string;
    let p: DocParts | null = null;
    let src = -1;
    const edits: string[] = [];
    if (kind === 'short') {
      text = r.chance(0.6)
        ? r.pick(SHORT_COMMON)
        : Array.from({ length: r.range(1, 4) }, () => w.word(r.pick(['N', 'V', 'A'] as const), null)).join(' ');
      if (r.chance(0.3)) text = text[0]!.toUpperCase() + text.slice(1);
    } else if (kind === 'exact' || kind === 'near') {
      src = pickSource(i);
      if (src < 0) kind = 'base';
    }
    if (kind === 'exact') {
      p = parts[src]!;
      if (r.chance(0.4)) {
        const q = applyEdit(w, sites, p, 'casews');
        edits.push('casews');
        text = joinParts(q);
        text = r.chance(0.5) ? text.toUpperCase() : text.replace(/\n\n/g, '\n');
        p = q;
      } else text = records[src]!.text;
    } else if (kind === 'near') {
      p = parts[src]!;
      const k = r.chance(0.55) ? 1 : r.chance(0.6) ? 2 : 3;
      for (let e = 0; e < k; e++) {
        const edit = r.pick(EDITS);
        edits.push(edit);
        p = applyEdit(w, sites, p, edit);
      }
      if (r.chance(0.3)) {
        edits.push('casews');
        p = applyEdit(w, sites, p, 'casews');
      }
      text = joinParts(p);
    } else if (kind === 'form') {
      p = fillForm(w, r.pick(forms));
      text = joinParts(p);
    } else if (kind === 'base') {
      const topic = w.topic();
      const site = sites[zSite.sample(r)]!;
      const target = Math.min(4000, Math.max(250, Math.exp(Math.log(1000) + 0.35 * r.normal())));
      const sents: string[] = [];
      let len = 0;
      while (len < target) {
        const s = w.sentence(topic);
        sents.push(s);
        len += s.length + 1;
      }
      p = { header: r.chance(0.5) ? site.header : null, sents, footer: r.chance(0.6) ? site.footer : null };
      text = joinParts(p);
    }
    parts.push(p);
    records.push({ id: `doc-${String(i).padStart(width, '0')}`, text: text! });
    meta.push({ kind, src, edits });
  }
  return { records, meta };
}

/** Two sorted sets of size n whose Jaccard is as close to `j` as sizes allow; returns the exact Jaccard too. */
export function pairWithJaccard(rng: Rng, n: number, j: number): { a: Uint32Array; b: Uint32Array; jaccard: number } {
  const c = Math.round((2 * n * j) / (1 + j));
  const used = new Set<number>();
  const fresh = () => {
    for (;;) {
      const x = rng.u32();
      if (!used.has(x)) {
        used.add(x);
        return x;
      }
    }
  };
  const shared = Array.from({ length: c }, fresh);
  const a = Uint32Array.from([...shared, ...Array.from({ length: n - c }, fresh)]).sort();
  const b = Uint32Array.from([...shared, ...Array.from({ length: n - c }, fresh)]).sort();
  return { a, b, jaccard: c / (2 * n - c) };
}

function main(): void {
  const args = process.argv.slice(2);
  const get = (k: string, d: string) => {
    const i = args.indexOf(k);
    return i >= 0 && i + 1 < args.length ? args[i + 1]! : d;
  };
  const docs = Number(get('--docs', String(GEN_DEFAULTS.docs)));
  const seed = Number(get('--seed', String(GEN_DEFAULTS.seed)));
  const out = get("--out", `bench-out/dedup-corpus-v${GEN_VERSION}-${docs}-s${seed}.jsonl`);
  const t0 = performance.now();
  const { records, meta } = generateCorpus({ docs, seed });
  const lines = records.map((rec, i) => JSON.stringify({ ...rec, plant: meta[i] })).join('\n') + '\n';
  writeFileSync(out, lines);
  const kinds: Record<string, number> = {};
  for (const m of meta) kinds[m.kind] = (kinds[m.kind] ?? 0) + 1;
  const avg = records.reduce((a, x) => a + x.text.length, 0) / records.length;
  console.log(`wrote ${records.length} docs to ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s; avg ${avg.toFixed(0)} chars;`, kinds);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
