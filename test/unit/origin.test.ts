import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Features, JsonRecord, OriginScore } from '../../src/types.js';
import {
  ORIGIN_DEFAULTS,
  createOriginScorer,
  declaredLabel,
  defaultModelPath,
  getPath,
  labelFor,
  loadModel,
  predict,
  type OriginConfig,
} from '../../src/score/origin/index.js';
import { auroc } from '../../tools/origin/metrics.js';
import { cleanText, looksLikeCode, tokenize } from '../../src/score/origin/text.js';
import { dotWindow, extractWindow, prepare, scoreWindow, windowStarts } from '../../src/score/origin/features.js';
import { rankTable } from '../../src/score/origin/model.js';

const fixture = fileURLToPath(new URL('../fixtures/origin-sample.jsonl', import.meta.url));
const samples = readFileSync(fixture, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as { text: string; label: 'ai' | 'human'; domain: string });

/** Minimal Features: the origin scorer reads only `text`. */
function feats(text: string): Features {
  return { text } as unknown as Features;
}
const ctx = { recordIndex: 0 };

function cfg(over: Partial<OriginConfig> = {}): OriginConfig {
  return { ...ORIGIN_DEFAULTS, ...over, declared: { ...ORIGIN_DEFAULTS.declared, ...(over.declared ?? {}) } };
}

const LONG_HUMAN = samples.find((s) => s.label === 'human')!.text;

describe('origin: declared provenance', () => {
  const declared = { field: 'meta.source', synthetic: ['gpt-4', 'synthetic'], human: ['human'] };

  it('reads dotted paths', () => {
    assert.equal(getPath({ meta: { source: 'x' } }, 'meta.source'), 'x');
    assert.equal(getPath({ 'meta.source': 'y' }, 'meta.source'), 'y');
    assert.equal(getPath({ meta: 'flat' }, 'meta.source'), undefined);
    assert.equal(getPath({}, 'meta.source'), undefined);
  });

  it('a declared string label wins over the detector', () => {
    const s = createOriginScorer(cfg({ declared }));
    const syn = s.score({ meta: { source: 'gpt-4' } }, feats(LONG_HUMAN), ctx);
    assert.equal(syn.by, 'declared');
    assert.equal(syn.declared, 'synthetic');
    assert.equal(labelFor(syn, ORIGIN_DEFAULTS), 'synthetic');
    const hum = s.score({ meta: { source: 'human' } }, feats(samples[0]!.text), ctx);
    assert.equal(hum.by, 'declared');
    assert.equal(labelFor(hum, ORIGIN_DEFAULTS), 'human');
  });

  it('an unlisted or missing value falls through to the detector', () => {
    const s = createOriginScorer(cfg({ declared }));
    for (const rec of [{ meta: { source: 'web' } }, { other: 1 }, { meta: { source: 'GPT-4' } }] as JsonRecord[]) {
      const r = s.score(rec, feats(LONG_HUMAN), ctx);
      assert.equal(r.by, 'detector');
      assert.equal(r.declared, null);
      assert.equal(typeof r.p_ai, 'number');
    }
  });

  it('boolean fields compare as JSON values', () => {
    const d = { field: 'is_synthetic', synthetic: [true], human: [false] };
    assert.equal(declaredLabel({ is_synthetic: true }, d), 'synthetic');
    assert.equal(declaredLabel({ is_synthetic: false }, d), 'human');
    assert.equal(declaredLabel({ is_synthetic: 'true' }, d), null);
    assert.equal(declaredLabel({ is_synthetic: 1 }, d), null);
    const s = createOriginScorer(cfg({ declared: d }));
    assert.equal(s.score({ is_synthetic: false }, feats(samples[0]!.text), ctx).declared, 'human');
  });

  it('an empty or null field turns declared provenance off', () => {
    assert.equal(declaredLabel({ '': 'human' }, { field: '', synthetic: [], human: ['human'] }), null);
    assert.equal(declaredLabel({ x: 'human' }, { field: null, synthetic: [], human: ['human'] }), null);
  });

  it('trustDeclared=false runs the detector and keeps the declared label for reference', () => {
    const s = createOriginScorer(cfg({ declared, trustDeclared: false }));
    const r = s.score({ meta: { source: 'gpt-4' } }, feats(LONG_HUMAN), ctx);
    assert.equal(r.by, 'detector');
    assert.equal(r.declared, 'synthetic');
    assert.equal(typeof r.p_ai, 'number');
    assert.equal(labelFor(r, ORIGIN_DEFAULTS), labelFor({ ...r, declared: null }, ORIGIN_DEFAULTS));
  });
});

describe('origin: labelFor', () => {
  const c = { threshold: 0.9, humanThreshold: 0.4 };
  const det = (p: number | null): OriginScore => ({ p_ai: p, by: p === null ? 'none' : 'detector', declared: null });
  it('maps p_ai to labels with the two thresholds', () => {
    assert.equal(labelFor(det(0.95), c), 'synthetic');
    assert.equal(labelFor(det(0.9), c), 'synthetic');
    assert.equal(labelFor(det(0.89), c), 'unknown');
    assert.equal(labelFor(det(0.4), c), 'unknown');
    assert.equal(labelFor(det(0.39), c), 'human');
    assert.equal(labelFor(det(null), c), 'unknown');
  });
});

describe('origin: cannot judge', () => {
  const s = createOriginScorer(cfg());

  it('too short', () => {
    const r = s.score({}, feats('Thanks, that fixed it for me.'), ctx);
    assert.equal(r.p_ai, null);
    assert.equal(r.reason, 'too_short');
    assert.equal(r.by, 'none');
    assert.equal(s.score({}, feats(''), ctx).reason, 'too_short');
    // just below and at the minimum
    const words = LONG_HUMAN.split(/\s+/);
    const m = ORIGIN_DEFAULTS.minWords;
    assert.equal(s.score({}, feats(words.slice(0, m - 5).join(' ')), ctx).reason, 'too_short');
    assert.equal(typeof s.score({}, feats(words.slice(0, m + 5).join(' ')), ctx).p_ai, 'number');
  });

  it('source code', () => {
    const code = [
      "import { readFileSync } from 'node:fs';",
      'export function load(path: string): Record<string, unknown> {',
      "  const raw = readFileSync(path, 'utf8');",
      '  if (raw.length === 0) { throw new Error("empty file"); }',
      '  const out = JSON.parse(raw) as Record<string, unknown>;',
      '  for (const [k, v] of Object.entries(out)) { console.log(k, v); }',
      '  return out;',
      '}',
    ].join('\n');
    assert.equal(looksLikeCode(code), true);
    const r = s.score({}, feats(code), ctx);
    assert.equal(r.p_ai, null);
    assert.equal(r.reason, 'code');
    for (const t of samples) assert.equal(looksLikeCode(t.text), false, t.text.slice(0, 40));
  });

  it('not English', () => {
    const fr =
      "Le petit village se trouvait au bord de la rivière, entouré de collines couvertes de vignes. Chaque matin, " +
      "les habitants descendaient au marché pour vendre leurs légumes et échanger les nouvelles de la semaine. " +
      "Les enfants couraient entre les étals pendant que les anciens discutaient du temps qu'il ferait demain, " +
      'et personne ne semblait pressé de rentrer avant que le soleil ne disparaisse derrière les arbres.';
    const de =
      'Die Stadt liegt an einem großen Fluss und hat eine lange Geschichte, die bis in die Römerzeit zurückreicht. ' +
      'Heute leben dort etwa fünfzigtausend Menschen, die meisten arbeiten in kleinen Betrieben oder pendeln in die ' +
      'nächste größere Stadt. Im Sommer kommen viele Touristen, um die alte Brücke und die Kirche zu besichtigen, ' +
      'und abends sitzen die Leute gern draußen in den Gärten der Wirtshäuser am Ufer.';
    const ru = 'Это очень длинный текст на русском языке, который нужен только для проверки. '.repeat(8);
    for (const t of [fr, de, ru]) {
      const r = s.score({}, feats(t), ctx);
      assert.equal(r.p_ai, null, t.slice(0, 30));
      assert.equal(r.reason, 'not_english', t.slice(0, 30));
    }
  });

  it('disabled detector', () => {
    const off = createOriginScorer(cfg({ enabled: false, declared: { field: 'src', synthetic: ['ai'], human: [] } }));
    const r = off.score({}, feats(LONG_HUMAN), ctx);
    assert.deepEqual([r.p_ai, r.by, r.reason], [null, 'none', 'disabled']);
    // declared provenance still applies
    assert.equal(off.score({ src: 'ai' }, feats(LONG_HUMAN), ctx).by, 'declared');
  });
});

describe('origin: detector', () => {
  it('the bundled model loads, once, and is within the size budget', () => {
    const p = defaultModelPath();
    assert.ok(statSync(p).size <= 10 * 1024 * 1024, 'model file <= 10 MB');
    const m = loadModel();
    assert.equal(loadModel(), m, 'cached');
    assert.equal(loadModel(p), m, 'same path, same model');
    assert.equal(predict(samples[0]!.text).p_ai, m.predict(samples[0]!.text).p_ai);
    assert.deepEqual(predict('too few words here'), { p_ai: null, reason: 'too_short', words: 4 });
  });

  it('ORIGIN_DEFAULTS carry the thresholds chosen at training', () => {
    const f = loadModel().file;
    assert.equal(ORIGIN_DEFAULTS.threshold, f.threshold);
    assert.equal(ORIGIN_DEFAULTS.humanThreshold, f.humanThreshold);
    assert.equal(ORIGIN_DEFAULTS.minWords, f.minWords);
    assert.ok(f.humanThreshold <= f.threshold);
  });

  it('p_ai is a probability and deterministic', () => {
    const a = createOriginScorer(cfg());
    const b = createOriginScorer(cfg());
    for (const t of samples) {
      const r1 = a.score({}, feats(t.text), ctx);
      const r2 = b.score({}, feats(t.text), ctx);
      assert.equal(typeof r1.p_ai, 'number');
      assert.ok(r1.p_ai! >= 0 && r1.p_ai! <= 1);
      assert.deepEqual(r1, r2);
      assert.deepEqual(a.score({}, feats(t.text), ctx), r1);
    }
  });

  it('layout and prompt artefacts do not move the score', () => {
    const m = loadModel();
    for (const t of samples) {
      const base = m.predict(t.text).logit!;
      const wrapped = t.text.replace(/(.{60,80}?) /g, '$1\n');
      assert.ok(Math.abs(m.predict(wrapped).logit! - base) < 1e-9, 'hard wraps');
      assert.ok(Math.abs(m.predict(`  \n\n ${t.text} \n`).logit! - base) < 1e-9, 'outer whitespace');
      assert.ok(Math.abs(m.predict(`Title: Notes\n\n${t.text}`).logit! - base) < 1e-9, 'title line');
      assert.ok(Math.abs(m.predict(`Sure, here's the text you asked for:\n\n${t.text}`).logit! - base) < 1e-9, 'chat preamble');
    }
    assert.equal(cleanText('**Bold** and [a link](https://x.y/z) here.'), 'Bold and a link here.');
  });

  it('ranks clearly machine-written fixture texts above clearly human ones', () => {
    const m = loadModel();
    const p = samples.map((s) => m.predict(s.text).p_ai!);
    const y = samples.map((s) => (s.label === 'ai' ? 1 : 0));
    const mean = (lab: number): number => p.filter((_, i) => y[i] === lab).reduce((a, b) => a + b, 0) / 6;
    assert.ok(mean(1) > mean(0) + 0.2, `mean p_ai ai ${mean(1).toFixed(3)} vs human ${mean(0).toFixed(3)}`);
    assert.ok(auroc(p, y) >= 0.85, `fixture AUROC ${auroc(p, y)}`);
    // no fixture human text is called synthetic at the default threshold
    for (let i = 0; i < p.length; i++) if (y[i] === 0) assert.ok(p[i]! < ORIGIN_DEFAULTS.threshold);
  });

  it('explain lists top contributing features', () => {
    const s = createOriginScorer(cfg({ explain: true }));
    const r = s.score({}, feats(samples[0]!.text), ctx);
    assert.ok(Array.isArray(r.top) && r.top.length > 0);
    for (const [name, c] of r.top!) {
      assert.equal(typeof name, 'string');
      assert.ok(Number.isFinite(c));
    }
    const plain = createOriginScorer(cfg()).score({}, feats(samples[0]!.text), ctx);
    assert.equal(plain.top, undefined);
    assert.equal(plain.p_ai, r.p_ai);
  });
});

describe('origin: experimental hashed families (off by default)', () => {
  const text = samples.find((s) => s.label === 'ai')!.text;
  const toks = tokenize(cleanText(text));
  const p = prepare(toks);
  const w1 = Math.min(toks.nWords, 64);
  const ranks = rankTable([]);
  const ext = (fam: number[]) => extractWindow(p, 0, w1, { dim: 1 << 16, ranks, fam });

  it('zero-scaled char n-gram and skeleton 4-gram families change nothing', () => {
    const a = ext([1, 1, 1]);
    const b = ext([1, 1, 1, 0, 0]);
    assert.deepEqual([...b.idx], [...a.idx]);
    assert.deepEqual([...b.val], [...a.val]);
    assert.deepEqual([...b.dense], [...a.dense]);
  });

  it('enabled, they add features and leave the dense part unchanged', () => {
    const a = ext([1, 1, 1]);
    for (const fam of [[1, 1, 1, 1], [1, 1, 1, 0, 1]]) {
      const b = ext(fam);
      assert.ok(b.idx.length > a.idx.length);
      assert.deepEqual([...b.dense], [...a.dense]);
    }
  });
});

describe('origin: hot-path equivalences', () => {
  it('tokenize: case, contractions, hyphens, numbers, non-ASCII letters and symbols', () => {
    const t = tokenize("ÉCOLE Don't O'Neil well-Known 3.5 x 1,000 ÀB éa ... 😀 — ;");
    assert.deepEqual(t.tok, ['école', "don't", "o'neil", 'well-known', '<num>', 'x', '<num>', 'àb', 'éa', '...', '<sym>', '—', ';']);
    assert.deepEqual([...t.type], [0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 2, 2]);
    // caps: 2 = all caps (2+ letters), 1 = capitalised, counted on A-Z only (so "ÉCOLE" and "ÀB" are 0), and not
    // counting the letter after an inner apostrophe or hyphen
    assert.deepEqual([...t.caps], [0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...tokenize('NASA Nasa nASA').caps], [2, 1, 0]);
    assert.deepEqual([...t.len], [5, 5, 6, 10, 3, 1, 5, 2, 2, 1, 1, 1, 1]);
    assert.equal(t.nWords, 9);
  });

  it('cleanText: whitespace runs become one space and spaced contractions are rejoined', () => {
    assert.equal(cleanText('a  b\tc\u00a0d \u2028 e'), 'a b c d e');
    assert.equal(cleanText("you ' re right , it' s fine and he 's here do n't"), "you're right, it's fine and he's here don't");
    assert.equal(cleanText("it's already joined"), "it's already joined");
  });

  it('scoreWindow equals dotWindow(extractWindow(...)) on every window of the fixture texts', () => {
    const m = loadModel();
    const f = m.file;
    let windows = 0;
    for (const s of samples) {
      const toks = tokenize(cleanText(s.text));
      const p = prepare(toks);
      for (const w0 of windowStarts(toks.nWords, f.window)) {
        const w1 = Math.min(toks.nWords, w0 + f.window);
        const o = { dim: f.dim, ranks: m.ranks, fam: f.families };
        const a = dotWindow(extractWindow(p, w0, w1, o), m.weights, f.bias, f.dim, f.dense, f.denseScale);
        assert.equal(scoreWindow(p, w0, w1, o, m.weights, f.bias, f.dense, f.denseScale), a);
        windows++;
      }
    }
    assert.ok(windows > samples.length, `${windows} windows`);
  });
});
