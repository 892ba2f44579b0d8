/**
 * Compute the synthetic-share estimator's parameters and store them in the model file (field `quantification`).
 *
 *   npm run calibrate:share [-- --corpora DIR] [--dump FILE] [--model FILE] [--method acc] [--dry-run]
 *
 * From the held-out detector scores of every labelled source (share-data.ts; the LOSO dump is computed and cached on
 * first use): per source the mean p_ai and the rates at 0.5 on human and machine text and their p_ai histograms;
 * the operating-point table (threshold per target human false-positive rate, worst human domain); the fit-distance
 * limit beyond which an estimate is flagged low confidence. Only adds that field: the detector's weights, threshold
 * and every other field stay byte-identical (checked before writing).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { modelFromFile, type OriginModelFile } from '../../src/score/origin/model.js';
import { quantificationParams, type QuantificationFile } from '../../src/score/origin/prevalence.js';
import type { QuantMethod } from '../../src/score/origin/quantify.js';
import { flag, opt } from './args.js';
import { ROOT, fitDistanceLimit, heldOutScores, losoDump, sourceReferences, thresholdAtFpr, TRAIN_SOURCES } from './share-data.js';

const CORPORA = resolve(process.cwd(), opt('corpora', join(ROOT, '../shared/corpora')));
const MODEL = resolve(process.cwd(), opt('model', join(ROOT, 'models/origin-v1.json')));
const METHOD = opt('method', 'acc') as QuantMethod;
const ACC_THRESHOLD = 0.5;
const BINS = 20;
const FPR_TARGETS = [0.005, 0.01, 0.02, 0.05, 0.1];
const log = (s: string): void => void process.stderr.write(s + '\n');

const raw = readFileSync(MODEL, 'utf8');
const file = JSON.parse(raw) as OriginModelFile & { quantification?: QuantificationFile };
const model = modelFromFile(file, MODEL);
const dump = opt('dump', '') !== '' ? resolve(process.cwd(), opt('dump', '')) : losoDump(CORPORA, join(ROOT, '.tmp/share'), log);
const texts = heldOutScores({ corpora: CORPORA, dump, model });
const sources = sourceReferences(texts, ACC_THRESHOLD, BINS);
const operatingPoints = Object.fromEntries(FPR_TARGETS.map((t) => [`fpr:${t}`, thresholdAtFpr(texts, t)]));

const maxFitDistance = fitDistanceLimit(sources, BINS);

const quantification: QuantificationFile = {
  version: 1,
  method: METHOD,
  accThreshold: ACC_THRESHOLD,
  bins: BINS,
  sources,
  operatingPoints,
  maxFitDistance,
  provenance: {
    command: 'npm run calibrate:share',
    scores: `held-out p_ai: LOSO out-of-fold for ${TRAIN_SOURCES.join(', ')} (shipped recipe, Platt of the model); the shipped model for sources it was not trained on`,
    minWords: model.file.minWords,
    judgedTexts: texts.filter((t) => t.p !== null).length,
    abstainedTexts: texts.filter((t) => t.p === null).length,
  },
};

for (const s of sources) {
  log(`${s.name.padEnd(10)} n ${s.nHuman}/${s.nAi}  mean p human ${s.meanHuman.toFixed(3)} machine ${s.meanAi.toFixed(3)}  rate@0.5 fpr ${s.fpr.toFixed(3)} tpr ${s.tpr.toFixed(3)}`);
}
log(`operating points ${JSON.stringify(operatingPoints)}; maxFitDistance ${quantification.maxFitDistance}`);

const next = { ...file, quantification };
if (!quantificationParams(next)) throw new Error('the computed parameters do not load');
// every field but quantification must be unchanged
for (const k of Object.keys(file) as Array<keyof typeof file>) {
  if (k === 'quantification') continue;
  if (JSON.stringify(next[k]) !== JSON.stringify(file[k])) throw new Error(`field ${k} would change`);
}
const out = JSON.stringify(next) + '\n';
const before = file.quantification ? JSON.stringify({ ...file, quantification: undefined }) : raw.trimEnd();
if (JSON.stringify({ ...next, quantification: undefined }) !== before) throw new Error('the rest of the model file would change');
if (flag('dry-run')) log('dry run: model file not written');
else {
  writeFileSync(MODEL, out);
  log(`wrote quantification into ${MODEL}`);
}
