/**
 * The team's own detector for the synthfilter_detector condition, trained the way a user would train one: a labelled
 * corpus of their model's generation-0 samples ("ai") and the generation-0 human training texts ("human") is
 * written in the corpus format the project's training tool reads (shared/corpora/README.md), and the tool is run on
 * it. Held-out texts are never passed here. The texts are split into three pseudo-sources, so that the tool's
 * leave-one-source-out validation (which calibrates the model and picks its thresholds) is a 3-fold
 * cross-validation.
 *
 * This file is the experiment's only link to the training tool (one path below): the tool is moving to tools/origin/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from './rng.js';

/** The project's detector-training tool (a tsx script). */
export const TRAINING_TOOL = fileURLToPath(new URL('../../tools/origin/train-origin.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface TrainedDetector {
  /** the model file, for `origin.model` */
  model: string;
  /** the decision settings the tool chose on its validation folds (the model file's own) */
  threshold: number;
  humanThreshold: number;
  minWords: number;
  /** the tool's cross-validated AUROC (pooled over its folds) */
  cvAuroc: number | null;
  /** training texts per label */
  human: number;
  synthetic: number;
  seconds: number;
}

export interface DetectorTrainingOptions {
  /** work folder: corpus/ and the model file go here */
  dir: string;
  seed: number;
  human: readonly string[];
  synthetic: readonly string[];
  /** extra flags for the tool (e.g. ["--scale", "none"] for its faster single fit) */
  toolArgs?: readonly string[];
  log?: (msg: string) => void;
}

export function trainDetector(o: DetectorTrainingOptions): TrainedDetector {
  const corpus = join(o.dir, 'corpus');
  mkdirSync(corpus, { recursive: true });
  const rng = new Rng(o.seed, 'detector/folds');
  const folds = ['fold-a', 'fold-b', 'fold-c'];
  const rows: string[] = [];
  const add = (texts: readonly string[], label: 'human' | 'ai') =>
    texts.forEach((text, i) => rows.push(JSON.stringify({ id: `${label}-${i}`, text, label, domain: 'own-model', source: folds[rng.int(folds.length)], generator: label === 'ai' ? 'own-model-gen-0' : 'human' })));
  add(o.human, 'human');
  add(o.synthetic, 'ai');
  writeFileSync(join(corpus, 'gen0.jsonl'), rows.join('\n') + '\n');
  const model = join(o.dir, 'origin-own.json');
  const t0 = Date.now();
  const p = spawnSync(process.execPath, ['--import', 'tsx', TRAINING_TOOL, '--corpora', corpus, '--out', model, '--seed', String(o.seed), ...(o.toolArgs ?? [])], {
    // tsx resolves from the repository, wherever the work folder is
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  writeFileSync(join(o.dir, 'training.log'), `${p.stdout ?? ''}\n${p.stderr ?? ''}`);
  if (p.status !== 0) throw new Error(`detector training failed (exit ${p.status}); see ${join(o.dir, 'training.log')}: ${(p.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  const file = JSON.parse(readFileSync(model, 'utf8')) as { threshold: number; humanThreshold: number; minWords: number; training?: { loso?: Array<{ name: string; auroc: number }> } };
  const pooled = file.training?.loso?.find((r) => r.name.startsWith('ALL'));
  const seconds = (Date.now() - t0) / 1000;
  o.log?.(`detector: trained on ${o.human.length} human + ${o.synthetic.length} generation-0 samples in ${seconds.toFixed(1)} s; threshold ${file.threshold}, minWords ${file.minWords}, cross-validated AUROC ${pooled?.auroc?.toFixed(3) ?? 'n/a'}`);
  return {
    model,
    threshold: file.threshold,
    humanThreshold: file.humanThreshold,
    minWords: file.minWords,
    cvAuroc: pooled && Number.isFinite(pooled.auroc) ? pooled.auroc : null,
    human: o.human.length,
    synthetic: o.synthetic.length,
    seconds,
  };
}
