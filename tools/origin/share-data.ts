/**
 * Held-out detector scores of every labelled corpus text, for the synthetic-share calibration and evaluation.
 *
 * A text's score always comes from a detector that never saw the text's source:
 *   - sources the shipped model was trained on (grid, m4, raidar, zippy): the leave-one-source-out out-of-fold
 *     logits of the shipped training recipe (`train-origin.ts --no-final --dump`), calibrated with the shipped
 *     model's Platt scaling (which was fitted on those same logits);
 *   - sources added to the corpora after training (detectrl): scored by the shipped model itself.
 * The LOSO dump takes several minutes to compute; it is cached in .tmp/share/ (not committed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCorpora } from './data.js';
import { loadModel, sigmoid, type OriginModel } from '../../src/score/origin/model.js';
import { hdyPoint, pooledHistograms, referenceOf, type SourceReference } from '../../src/score/origin/quantify.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** the sources the shipped model was trained on (see models/ORIGIN_MODEL_CARD.md) */
export const TRAIN_SOURCES = ['grid', 'm4', 'raidar', 'zippy'];

export interface HeldOutText {
  id: string;
  source: string;
  domain: string;
  generator: string;
  /** 1 = machine, 0 = human */
  label: 0 | 1;
  words: number;
  /** held-out p_ai, or null when the detector abstains (too short, not English, code) */
  p: number | null;
}

/** Run the LOSO part of the shipped training recipe and dump its out-of-fold logits (cached). */
export function losoDump(corpora: string, cacheDir: string, log: (s: string) => void): string {
  const out = join(cacheDir, 'loso-oof.jsonl');
  if (existsSync(out)) return out;
  mkdirSync(cacheDir, { recursive: true });
  log(`computing the LOSO out-of-fold scores (4 folds x 3 fits; ~10-15 min) -> ${out}`);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'tools/origin/train-origin.ts'), '--corpora', corpora, '--sources', TRAIN_SOURCES.join(','), '--no-final', '--dump', out],
    { stdio: ['ignore', 'ignore', 'inherit'], cwd: ROOT },
  );
  if (r.status !== 0) throw new Error(`train-origin.ts failed (exit ${r.status})`);
  return out;
}

/** Every corpus text with its held-out p_ai (null = abstained) under the model's minWords. */
export function heldOutScores(opts: { corpora: string; dump: string; model?: OriginModel }): HeldOutText[] {
  const model = opts.model ?? loadModel();
  const { a, b } = model.file.platt;
  const minWords = model.file.minWords;
  const oof = new Map<string, { z: number; words: number }>();
  for (const line of readFileSync(opts.dump, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as { id: string; z: number; words: number };
    oof.set(r.id, { z: r.z, words: r.words });
  }
  const out: HeldOutText[] = [];
  for (const t of loadCorpora(opts.corpora)) {
    const base = { id: t.id, source: t.source, domain: t.domain, generator: t.generator, label: t.label };
    if (TRAIN_SOURCES.includes(t.source)) {
      const o = oof.get(t.id);
      // not in the dump: not judged at training time (under 12 words, not English, code)
      if (!o || o.words < minWords) out.push({ ...base, words: o?.words ?? 0, p: null });
      else out.push({ ...base, words: o.words, p: sigmoid(a * o.z + b) });
    } else {
      const pr = model.predict(t.text);
      out.push({ ...base, words: pr.words ?? 0, p: pr.p_ai });
    }
  }
  return out;
}

/** Per-source detector reference (rates, means, histograms) over the judged texts of each source. */
export function sourceReferences(texts: HeldOutText[], accThreshold: number, bins: number): SourceReference[] {
  const bySource = new Map<string, HeldOutText[]>();
  for (const t of texts) {
    if (t.p === null) continue;
    const a = bySource.get(t.source);
    if (a) a.push(t);
    else bySource.set(t.source, [t]);
  }
  const out: SourceReference[] = [];
  for (const [name, ts] of [...bySource].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const hum = ts.filter((t) => t.label === 0).map((t) => t.p!);
    const ai = ts.filter((t) => t.label === 1).map((t) => t.p!);
    if (hum.length === 0 || ai.length === 0) continue;
    out.push(referenceOf(name, hum, ai, accThreshold, bins));
  }
  return out;
}

/**
 * Lowest threshold on p_ai at which the human false-positive rate is at most `target` in every human domain (the
 * rule that set the model's default threshold, applied to all held-out sources).
 */
export function thresholdAtFpr(texts: HeldOutText[], target: number): number {
  const byDomain = new Map<string, number[]>();
  for (const t of texts) {
    if (t.p === null || t.label !== 0) continue;
    const a = byDomain.get(t.domain);
    if (a) a.push(t.p);
    else byDomain.set(t.domain, [t.p]);
  }
  let thr = 0;
  for (const ps of byDomain.values()) {
    ps.sort((x, y) => y - x);
    const allowed = Math.floor(target * ps.length);
    thr = Math.max(thr, allowed < ps.length ? ps[allowed]! : 0);
  }
  return Math.min(0.999, Math.ceil((thr + 1e-9) * 1000) / 1000);
}

/**
 * Fit-distance limit for the low-confidence flag: the Hellinger distance between a set's p_ai histogram and the
 * nearest mixture of the source-averaged references (HDy's residual), over every reference source's own human /
 * machine mixtures at prevalences 0 to 1 in steps of 0.1. A set farther than the largest of these looks unlike every
 * validation source.
 */
export function fitDistanceLimit(sources: SourceReference[], bins: number): number {
  const pooled = pooledHistograms(sources, bins);
  let max = 0;
  for (const s of sources) {
    for (let k = 0; k <= 10; k++) {
      const th = k / 10;
      const hist = s.histHuman!.map((h, b) => (1 - th) * h + th * s.histAi![b]!);
      max = Math.max(max, hdyPoint(hist, pooled.human, pooled.ai).distance);
    }
  }
  return +max.toFixed(4);
}
