/**
 * Evaluate the synthetic-share estimator on leave-one-source-out mixtures.
 *
 *   npm run eval:share [-- --corpora DIR] [--dump FILE] [--draws 20] [--size 1000] [--seed 1]
 *                         [--methods acc,pacc,hdy,em] [--json FILE] [--no-docs]
 *
 * Each labelled source is held out in turn: its human and machine texts (held-out detector scores, see share-data.ts)
 * are the mixture's components, and the estimator's reference rates come from the *other* sources only (the
 * quantifier is validated the way it will meet an unseen source). For every prevalence and draw it samples `size`
 * judged texts and reports bias, mean absolute error, coverage and width of the 95% interval, per source and
 * overall, and the human-only sets' interval low. It also simulates the router's synthetic cap with capBasis
 * "labels" and "expected" (see docs/synthetic-share.md) and reports the kept output's true synthetic share against
 * the human records kept. Writes the generated section of docs/synthetic-share.md and JSON to stdout (or --json).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveConfig } from '../../src/config/index.js';
import { Router, type Routed, type Scored } from '../../src/route/router.js';
import { labelFor } from '../../src/score/origin/index.js';
import { loadModel } from '../../src/score/origin/model.js';
import type { OriginLabel, OriginScore } from '../../src/types.js';
import { ShareAccumulator, expectedSynthetic, quantificationParams, type QuantificationParams } from '../../src/score/origin/prevalence.js';
import type { QuantMethod } from '../../src/score/origin/quantify.js';
import { flag, opt } from './args.js';
import { mulberry32 } from './random.js';
import { ROOT, fitDistanceLimit, heldOutScores, losoDump, sourceReferences, thresholdAtFpr, type HeldOutText } from './share-data.js';

const CORPORA = resolve(process.cwd(), opt('corpora', join(ROOT, '../shared/corpora')));
const DRAWS = Number(opt('draws', '20'));
const SIZE = Number(opt('size', '1000'));
const SEED = Number(opt('seed', '1'));
const METHODS = opt('methods', 'acc,pacc,hdy,em').split(',') as QuantMethod[];
const PREVALENCES = [0, 0.1, 0.3, 0.5, 0.76, 0.9];
/** the issue's targets are over these prevalences */
const TARGET_PREVALENCES = [0.1, 0.3, 0.5, 0.76];
const ACC_THRESHOLD = 0.5;
const BINS = 20;
const CAP = 0.2;
const CAP_SIZE = Number(opt('cap-size', '4000'));
const CAP_DRAWS = Number(opt('cap-draws', '5'));
const log = (s: string): void => void process.stderr.write(s + '\n');
/** Does this tree's router support route.capBasis (issue 18's wiring)? */
const ROUTER_CAP = ((): boolean => {
  try {
    resolveConfig({ route: { capBasis: 'expected' } });
    return true;
  } catch {
    return false;
  }
})();

const model = loadModel();
const dump = opt('dump', '') !== '' ? resolve(process.cwd(), opt('dump', '')) : losoDump(CORPORA, join(ROOT, '.tmp/share'), log);
const texts = heldOutScores({ corpora: CORPORA, dump, model });
/** the method the model file ships (the cap simulation and the expected mass use it) */
const SHIPPED: QuantMethod = quantificationParams(model)?.method ?? 'acc';
const judged = texts.filter((t) => t.p !== null);
const sources = [...new Set(judged.map((t) => t.source))].sort();
log(`${texts.length} texts, ${judged.length} judged; sources ${sources.join(', ')}`);

/** Estimator parameters built from the given texts' sources (the held-out source excluded by the caller). */
function paramsFrom(ts: HeldOutText[], method: QuantMethod): QuantificationParams {
  const sources = sourceReferences(ts, ACC_THRESHOLD, BINS);
  return quantificationParams({
    quantification: { version: 1, method, accThreshold: ACC_THRESHOLD, bins: BINS, sources, operatingPoints: {}, maxFitDistance: fitDistanceLimit(sources, BINS) },
  })!;
}

interface Trial {
  source: string;
  prevalence: number;
  method: string;
  value: number;
  low: number;
  high: number;
  /** the estimate was flagged confidence "low" */
  low_confidence?: boolean;
}

const trials: Trial[] = [];
interface CapRow {
  source: string;
  prevalence: number;
  policy: string;
  trueShareKept: number;
  humanKept: number;
  kept: number;
}
const capRows: CapRow[] = [];
/** per held-out source: the labels thresholds (from the other sources' held-out scores) */
const capThresholds: Record<string, Record<string, number>> = {};
const rng = mulberry32(SEED);
const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)]!;

for (const s of sources) {
  const rest = judged.filter((t) => t.source !== s);
  const params = new Map(METHODS.map((m) => [m, paramsFrom(rest, m)] as const));
  const hum = judged.filter((t) => t.source === s && t.label === 0);
  const ai = judged.filter((t) => t.source === s && t.label === 1);
  // thresholds for the labels cap, from the other sources (the held-out one is unseen)
  const thrDefault = model.file.threshold;
  const thr05 = thresholdAtFpr(rest, 0.05);
  const thr10 = thresholdAtFpr(rest, 0.1);
  capThresholds[s] = { 'fpr:0.05': thr05, 'fpr:0.1': thr10 };
  for (const prev of PREVALENCES) {
    for (let d = 0; d < DRAWS; d++) {
      const nAi = Math.round(prev * SIZE);
      const set: HeldOutText[] = [];
      for (let i = 0; i < nAi; i++) set.push(pick(ai));
      for (let i = nAi; i < SIZE; i++) set.push(pick(hum));
      const truth = nAi / SIZE;
      for (const m of METHODS) {
        const acc = new ShareAccumulator(params.get(m)!);
        for (const t of set) acc.add(null, t.p);
        const r = acc.estimate();
        if (r.estimate === null) throw new Error(r.reason);
        trials.push({ source: s, prevalence: truth, method: m, ...r.estimate, low_confidence: r.confidence === 'low' });
      }
      const cc = set.filter((t) => t.p! >= thrDefault).length / SIZE;
      trials.push({ source: s, prevalence: truth, method: 'cc@default', value: cc, low: cc, high: cc });
    }
  }
  // the synthetic cap, on larger sets (the router refreshes its running prior every 1024 records)
  for (const prev of [0.3, 0.5, 0.76]) {
    for (let d = 0; d < CAP_DRAWS; d++) {
      const nAi = Math.round(prev * CAP_SIZE);
      const set: HeldOutText[] = [];
      for (let i = 0; i < nAi; i++) set.push(pick(ai));
      for (let i = nAi; i < CAP_SIZE; i++) set.push(pick(hum));
      const p = params.get(SHIPPED) ?? params.values().next().value!;
      const acc = new ShareAccumulator(p);
      for (const t of set) acc.add(null, t.p);
      const est = acc.estimate();
      const prior = est.estimate ? est.estimate.value : 0.5;
      for (const [policy, kept] of [
        [`labels @ default ${thrDefault}`, capRun(set, 'labels', thrDefault, p, prior)],
        ['labels @ fpr:0.05', capRun(set, 'labels', thr05, p, prior)],
        ['labels @ fpr:0.1', capRun(set, 'labels', thr10, p, prior)],
        ['labels @ 0.5', capRun(set, 'labels', 0.5, p, prior)],
        ['expected', capRun(set, 'expected', thrDefault, p, prior)],
      ] as Array<[string, HeldOutText[]]>) {
        const kAi = kept.filter((t) => t.label === 1).length;
        const kH = kept.length - kAi;
        capRows.push({ source: s, prevalence: prev, policy, trueShareKept: kept.length ? kAi / kept.length : 0, humanKept: kH / (CAP_SIZE - nAi), kept: kept.length });
      }
    }
  }
  log(`held out ${s}: done`);
}

/**
 * The synthetic cap over one set, in a random arrival order, as one shard. Through the library's router
 * (src/route/router.ts) when it supports route.capBasis; otherwise simulated by the documented rule (labels: records
 * at or above thr count 1 and wait for quota; expected: every record weighs its expected synthetic probability at the
 * set's estimated prior and the heaviest are dropped first).
 */
function capRun(set: HeldOutText[], basis: 'labels' | 'expected', thr: number, params: QuantificationParams, prior: number): HeldOutText[] {
  const order = set.map((t) => ({ t, k: rng() })).sort((a, b) => a.k - b.k).map((x) => x.t);
  if (ROUTER_CAP) return capViaRouter(order, basis, thr, params);
  if (basis === 'labels') {
    const syn = order.filter((t) => t.p! >= thr);
    const other = order.filter((t) => t.p! < thr);
    const allowed = Math.floor((CAP / (1 - CAP)) * other.length + 1e-9);
    return [...other, ...syn.slice(0, Math.min(syn.length, allowed))];
  }
  const e = order.map((t) => ({ t, e: expectedSynthetic(params, t.p, prior) })).sort((a, b) => b.e - a.e);
  let mass = e.reduce((s, x) => s + x.e, 0);
  let i = 0;
  while (i < e.length && mass / (e.length - i) > CAP) mass -= e[i++]!.e;
  return e.slice(i).map((x) => x.t);
}


function capViaRouter(order: HeldOutText[], basis: 'labels' | 'expected', thr: number, params: QuantificationParams): HeldOutText[] {
  // the cap alone: no dedup, diversity or tail protection (the mixtures carry scores, not texts)
  const cfg = resolveConfig({ route: { capBasis: basis, maxSyntheticShare: CAP, tail: { enabled: false } }, dedup: { enabled: false }, diversity: { enabled: false } });
  const options = {
    shards: false,
    labelOf: (o: OriginScore | null): OriginLabel => (o ? labelFor(o, { threshold: thr, humanThreshold: 0.5 }) : 'unknown'),
    quantification: params,
  };
  const router = new Router(cfg, options);
  const kept: HeldOutText[] = [];
  const collect = (rs: Routed[]): void => {
    for (const r of rs) if (r.decision === 'accept') kept.push(order[r.scored.seq]!);
  };
  order.forEach((t, seq) => {
    const scored: Scored = {
      seq,
      id: t.id,
      record: { id: t.id },
      features: { text: '', wordHashes: new Uint32Array(0) } as unknown as Scored['features'],
      bytes: 100,
      pos: { file: 'mix', line: seq + 1 },
      dup: null,
      diversity: null,
      origin: { p_ai: t.p, by: 'detector', declared: null },
      ruleFailures: [],
    };
    collect(router.push(scored).done);
  });
  collect(router.end());
  return kept;
}

// ---------------------------------------------------------------------------------------------------------------
// summaries

interface Summary {
  n: number;
  bias: number;
  mae: number;
  coverage: number;
  width: number;
  flaggedLow: number;
}
function summarise(ts: Trial[]): Summary {
  const n = ts.length;
  const mean = (f: (t: Trial) => number): number => ts.reduce((s, t) => s + f(t), 0) / Math.max(1, n);
  return {
    n,
    bias: mean((t) => t.value - t.prevalence),
    mae: mean((t) => Math.abs(t.value - t.prevalence)),
    coverage: mean((t) => (t.low <= t.prevalence + 1e-9 && t.prevalence <= t.high + 1e-9 ? 1 : 0)),
    width: mean((t) => t.high - t.low),
    flaggedLow: mean((t) => (t.low_confidence ? 1 : 0)),
  };
}
const inTarget = (t: Trial): boolean => TARGET_PREVALENCES.some((p) => Math.abs(p - t.prevalence) < 1e-9);
const allMethods = [...METHODS, 'cc@default'];
const overall = Object.fromEntries(allMethods.map((m) => [m, summarise(trials.filter((t) => t.method === m && inTarget(t)))]));
const perSource = Object.fromEntries(
  allMethods.map((m) => [m, Object.fromEntries(sources.map((s) => [s, summarise(trials.filter((t) => t.method === m && t.source === s && inTarget(t)))]))]),
);
const perPrevalence = Object.fromEntries(
  allMethods.map((m) => [m, Object.fromEntries(PREVALENCES.map((p) => [p, summarise(trials.filter((t) => t.method === m && Math.abs(t.prevalence - p) < 1e-9))]))]),
);
const humanOnly = Object.fromEntries(
  allMethods.map((m) => {
    const ts = trials.filter((t) => t.method === m && t.prevalence === 0);
    return [m, Object.fromEntries(sources.map((s) => [s, Math.max(...ts.filter((t) => t.source === s).map((t) => t.low))]))];
  }),
);
const policies = [...new Set(capRows.map((r) => r.policy))];
const capSummary = Object.fromEntries(
  [0.3, 0.5, 0.76].map((p) => [
    p,
    Object.fromEntries(
      policies.map((pol) => {
        const rs = capRows.filter((r) => r.prevalence === p && r.policy === pol);
        const m = (f: (r: CapRow) => number): number => rs.reduce((s, r) => s + f(r), 0) / rs.length;
        const bySrc = Object.fromEntries(sources.map((s) => {
          const q = rs.filter((r) => r.source === s);
          return [s, { trueShareKept: q.reduce((a, r) => a + r.trueShareKept, 0) / q.length, humanKept: q.reduce((a, r) => a + r.humanKept, 0) / q.length }];
        }));
        return [pol, { trueShareKept: m((r) => r.trueShareKept), humanKept: m((r) => r.humanKept), bySource: bySrc }];
      }),
    ),
  ]),
);

const result = {
  setup: { draws: DRAWS, size: SIZE, seed: SEED, prevalences: PREVALENCES, targetPrevalences: TARGET_PREVALENCES, accThreshold: ACC_THRESHOLD, bins: BINS, cap: CAP, sources },
  overall,
  perSource,
  perPrevalence,
  humanOnlyMaxLow: humanOnly,
  cap: capSummary,
  capThresholds,
};

// ---------------------------------------------------------------------------------------------------------------
// report

const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '–');
const pc = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(0)} %` : '–');
const md: string[] = [];
md.push(`Generated by \`npm run eval:share\` (${DRAWS} draws of ${SIZE} judged texts per source and prevalence, seed ${SEED}). Each source is held out in turn; the estimator's reference rates come from the other sources only. MAE, bias and coverage are over prevalences ${TARGET_PREVALENCES.join(', ')}.`);
md.push('');
md.push('| method | MAE | bias | 95% coverage | mean width | worst human-only low |');
md.push('|---|---|---|---|---|---|');
for (const m of allMethods) {
  const o = overall[m]!;
  md.push(`| ${m} | ${f2(o.mae)} | ${f2(o.bias)} | ${pc(o.coverage)} | ${f2(o.width)} | ${f2(Math.max(...Object.values(humanOnly[m]!)))} |`);
}
md.push('');
md.push('Per held-out source (MAE / bias / coverage / human-only max low / share of estimates flagged low confidence):');
md.push('');
md.push(`| method | ${sources.join(' | ')} |`);
md.push(`|---|${sources.map(() => '---').join('|')}|`);
for (const m of allMethods) {
  md.push(`| ${m} | ${sources.map((s) => { const x = perSource[m]![s]!; return `${f2(x.mae)} / ${f2(x.bias)} / ${pc(x.coverage)} / ${f2(humanOnly[m]![s]!)} / ${pc(x.flaggedLow)}`; }).join(' | ')} |`);
}
md.push('');
md.push('By true prevalence (all held-out sources; MAE / coverage / mean width):');
md.push('');
md.push(`| method | ${PREVALENCES.join(' | ')} |`);
md.push(`|---|${PREVALENCES.map(() => '---').join('|')}|`);
for (const m of allMethods) {
  md.push(`| ${m} | ${PREVALENCES.map((p) => { const x = perPrevalence[m]![p]!; return `${f2(x.mae)} / ${pc(x.coverage)} / ${f2(x.width)}`; }).join(' | ')} |`);
}
md.push('');
md.push(`Synthetic cap ${CAP} (${ROUTER_CAP ? 'through the router, src/route/router.ts' : 'simulated by the documented rule: this tree\'s router has no route.capBasis'}; sets of ${CAP_SIZE} judged texts, ${CAP_DRAWS} draws, one shard, random arrival order, tail protection off): true synthetic share of the kept records / share of human records kept, mean over held-out sources:`);
md.push('');
md.push('| policy | 30 % input | 50 % input | 76 % input |');
md.push('|---|---|---|---|');
for (const pol of policies) md.push(`| ${pol} | ${[0.3, 0.5, 0.76].map((p) => { const x = capSummary[p]![pol]!; return `${f2(x.trueShareKept)} / ${pc(x.humanKept)}`; }).join(' | ')} |`);
md.push('');
md.push('76 % input, per held-out source (true share kept / human kept):');
md.push('');
md.push(`| policy | ${sources.join(' | ')} |`);
md.push(`|---|${sources.map(() => '---').join('|')}|`);
for (const pol of policies) md.push(`| ${pol} | ${sources.map((s) => { const x = capSummary[0.76]![pol]!.bySource[s]!; return `${f2(x.trueShareKept)} / ${pc(x.humanKept)}`; }).join(' | ')} |`);
md.push(`| (thresholds fpr:0.05 / fpr:0.1) | ${sources.map((s) => `${capThresholds[s]!['fpr:0.05']} / ${capThresholds[s]!['fpr:0.1']}`).join(' | ')} |`);

const text = md.join('\n');
log('\n' + text + '\n');
if (!flag('no-docs')) {
  const path = join(ROOT, 'docs/synthetic-share.md');
  const BEGIN = '<!-- eval:share:begin -->';
  const END = '<!-- eval:share:end -->';
  const doc = readFileSync(path, 'utf8');
  const i = doc.indexOf(BEGIN);
  const j = doc.indexOf(END);
  if (i < 0 || j < i) throw new Error(`${path}: markers ${BEGIN} / ${END} not found`);
  writeFileSync(path, doc.slice(0, i + BEGIN.length) + '\n' + text + '\n' + doc.slice(j));
  log(`updated ${path}`);
}
const json = JSON.stringify(result, null, 1) + '\n';
if (opt('json', '') !== '') writeFileSync(resolve(process.cwd(), opt('json', '')), json);
else process.stdout.write(json);
