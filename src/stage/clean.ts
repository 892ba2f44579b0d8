/**
 * `synthfilter clean`: the nightly job over a directory of shards, with persistent state.
 *
 * Phases (README "Nightly cleanup"):
 *   plan   new or changed inputs (registry: path, size, mtime, sha256) -> state/pending.json (a crashed run resumes it)
 *   A      pure scoring per input file (validation, diversity, origin), in parallel (--workers), to spools
 *   B1     in input order: ledger (synthetic reuse), dedup against history and against tonight; near-duplicate
 *          clusters of tonight's records are collected instead of keeping the first seen
 *   keep   each cluster keeps its best member by `dedup.keep` (human-first, then longest, then first)
 *   B2     in input order: the router decides (rules, tail, balancing, synthetic cap), shards are written to
 *          curated/<run-id>.tmp/, then report.json + report.html, then the directory is renamed into place
 *   commit new state generation (index, ledger, tail statistics, registry, run history), pending cleared
 * Every phase is deterministic, so a rerun after a crash at any point produces the same bytes.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import pLimit from 'p-limit';
import { fingerprint, type Config } from '../config/index.js';
import { SynthfilterError } from '../errors.js';
import { DirectorySink, writeFileAtomic } from '../sink/files.js';
import { FileStateStore, type PendingRun, type RunSummary, type StateSnapshot } from '../state/file-store.js';
import { Ledger } from '../state/ledger.js';
import { buildScorers } from '../score/build.js';
import { FilterCore, tailRetention, type Prepared } from './core.js';
import { readSpool, writeSpool, type SpoolResult } from './spool.js';
import { renderReport, type Report } from '../report/report.js';
import { VERSION } from '../version.js';
import type { DupScore, OriginLabel, Outcome } from '../types.js';

export interface CleanOptions {
  inDir: string;
  outDir: string;
  stateDir: string;
  cfg: Config;
  workers?: number;
  runId?: string;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** test hook: called at named points so crash tests can kill the process there */
  onPhase?: (phase: string) => void;
}

export interface CleanResult {
  runId: string | null;
  outDir: string | null;
  files: number;
  summary: RunSummary | null;
  resumed: boolean;
  /** input files that could not be read completely */
  errors: string[];
}

const INPUT_EXT = /\.(jsonl|ndjson|json)(\.gz|\.zst)?$/i;

function listInputs(dir: string): string[] {
  if (!existsSync(dir)) throw new SynthfilterError('E_INPUT', `input directory ${dir} does not exist`);
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && INPUT_EXT.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

const runIdFor = (d: Date) => `run-${d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;

/** Plan the run: new or changed inputs. Unchanged size+mtime skips hashing; a changed file with the same content
 * hash is treated as unchanged (its mtime is refreshed in the registry). */
async function plan(o: CleanOptions, snap: StateSnapshot | null, fp: string): Promise<PendingRun> {
  const registry = snap?.registry ?? {};
  const known = new Set(Object.values(registry).map((r) => r.sha256));
  const files: PendingRun['files'] = [];
  for (const path of listInputs(o.inDir)) {
    const rel = relative(o.inDir, path);
    const st = statSync(path);
    const prev = registry[rel];
    if (prev && prev.size === st.size && prev.mtimeMs === st.mtimeMs) continue;
    const sha256 = await sha256File(path);
    if (prev?.sha256 === sha256 || (!prev && known.has(sha256))) continue;
    files.push({ path, rel, size: st.size, mtimeMs: st.mtimeMs, sha256 });
  }
  const started = new Date();
  return { runId: o.runId ?? runIdFor(started), startedAt: started.toISOString(), fingerprint: fp, generation: snap?.generation ?? 0, files };
}

/** Phase A for one file: in a worker thread when workers > 1, else in-process. */
function scoreFile(cfg: Config, file: string, spool: string, inWorker: boolean): Promise<SpoolResult> {
  if (!inWorker) return writeSpool(cfg, file, spool);
  const here = new URL(import.meta.url);
  const ts = here.pathname.endsWith('.ts');
  const worker = new Worker(new URL(`./clean-worker.${ts ? 'ts' : 'js'}`, here), {
    workerData: { cfg, file, spool },
    execArgv: ts ? ['--import', 'tsx'] : [],
  });
  return new Promise((resolve, reject) => {
    let result: SpoolResult | null = null;
    worker.on('message', (m: { ok: boolean; result?: SpoolResult; error?: { code: string; message: string } }) => {
      if (m.ok) result = m.result!;
      else reject(new SynthfilterError((m.error!.code as 'E_INPUT') ?? 'E_INPUT', m.error!.message));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => (result ? resolve(result) : code !== 0 ? reject(new Error(`scoring worker exited with ${code}`)) : undefined));
  });
}

const LABEL_RANK: Record<OriginLabel, number> = { human: 2, unknown: 1, synthetic: 0 };

interface Member {
  seq: number;
  id: string;
  label: OriginLabel;
  length: number;
  clean: boolean; // no rule failures
}

/** Is `a` a better cluster member than `b` under the policy? Ties always go to the earlier record. */
function better(a: Member, b: Member, keep: string): boolean {
  if (a.clean !== b.clean) return a.clean;
  if (keep === 'human-first' && LABEL_RANK[a.label] !== LABEL_RANK[b.label]) return LABEL_RANK[a.label] > LABEL_RANK[b.label];
  if ((keep === 'human-first' || keep === 'longest') && a.length !== b.length) return a.length > b.length;
  return a.seq < b.seq;
}

export async function runClean(o: CleanOptions): Promise<CleanResult> {
  const { cfg } = o;
  const log = o.log ?? (() => {});
  const phase = o.onPhase ?? (() => {});
  const fp = fingerprint(cfg);
  const store = new FileStateStore(o.stateDir);
  store.lock();
  try {
    const snap = store.load(fp);
    let pending = store.readPending();
    const resumed = pending !== null && pending.fingerprint === fp && pending.generation === (snap?.generation ?? 0);
    if (!resumed) {
      pending = await plan(o, snap, fp);
      if (pending.files.length === 0) {
        log('nothing new to process', { inputs: o.inDir });
        return { runId: null, outDir: null, files: 0, summary: null, resumed: false, errors: [] };
      }
      store.writePending(pending);
    } else log(`resuming interrupted run ${pending!.runId}`);
    const run = pending!;
    phase('planned');
    const final = join(o.outDir, run.runId);
    const staging = join(o.outDir, `.${run.runId}.tmp`);
    // a crash after the output was renamed but before the state commit: redo (deterministically) from the old state
    rmSync(final, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
    const work = join(store.workDir, run.runId);
    mkdirSync(work, { recursive: true });

    // ---- phase A: pure scoring, in parallel, into spools (a complete spool from a crashed attempt is reused)
    const workers = Math.max(1, o.workers ?? cpus().length);
    const limit = pLimit(workers);
    const spools = run.files.map((f, i) => join(work, `${String(i).padStart(6, '0')}.spool`));
    const scored = run.files.map((f, i) =>
      limit(async () => {
        if (existsSync(spools[i]! + '.done')) return JSON.parse(readFileSync(spools[i]! + '.done', 'utf8')) as SpoolResult;
        const r = await scoreFile(cfg, f.path, spools[i]!, workers > 1);
        phase(`scored:${i}`);
        return r;
      }),
    );
    // surface the first failure without leaving unhandled rejections behind
    scored.forEach((p) => p.catch(() => {}));

    // ---- B1: dedup against history and tonight, in input order (overlaps phase A)
    const scorers = buildScorers(cfg, { dedupSnapshot: snap?.dedup ?? null });
    const dedup = scorers.dedup;
    const ledger = snap?.ledger ?? new Ledger();
    const core = new FilterCore(cfg, { shards: true, scorers: { ...scorers, dedup: null } });
    if (snap?.tail) core.restoreTail(snap.tail);
    const keep = (cfg.dedup as { keep?: string }).keep ?? 'human-first';
    const maxReuse = (cfg.route as { maxSyntheticReuse?: number }).maxSyntheticReuse ?? 1;
    const tonight = new Map<string, number>(); // id -> seq of tonight's indexed records
    const members: Member[] = []; // by seq (only scored records)
    const parent = new Int32Array(1024).fill(-1);
    let parentArr = parent;
    const dupOf = new Map<number, DupScore>(); // seq -> dup against history (final)
    const clusterOf = new Map<number, { root: number; kind: 'exact' | 'near'; similarity: number }>();
    const reuse = new Set<number>();
    let seq = 0;
    const labelOf = scorers.labelOf ?? (() => 'unknown' as OriginLabel);
    const errors: string[] = [];
    for (let i = 0; i < run.files.length; i++) {
      const res = await scored[i]!;
      if (res.error) errors.push(res.error);
      for await (const p of readSpool(spools[i]!, core)) {
        const s = seq++;
        p.seq = s;
        if (p.kind !== 's') continue;
        const label = labelOf(p.origin, p.record);
        members[s] = { seq: s, id: p.id, label, length: p.features.byteLength, clean: p.ruleFailures.length === 0 };
        const h = p.features.exactHash;
        const prior = ledger.get(h[0]!, h[1]!);
        if (label === 'synthetic' && prior && prior.emitted >= maxReuse) {
          reuse.add(s);
          continue;
        }
        if (!dedup) continue;
        const d = dedup.score(p.record, p.features);
        if (d.kind !== null && d.of !== null) {
          const t = tonight.get(d.of);
          if (t !== undefined) {
            let root = t;
            while (parentArr[root]! >= 0) root = parentArr[root]!;
            if (s >= parentArr.length) {
              const b = new Int32Array(Math.max(s + 1, parentArr.length * 2)).fill(-1);
              b.set(parentArr);
              parentArr = b;
            }
            parentArr[s] = root;
            clusterOf.set(s, { root, kind: d.kind, similarity: d.similarity ?? 1 });
          } else dupOf.set(s, d);
          continue;
        }
        if (members[s]!.clean) {
          dedup.commit(p.id, p.features);
          tonight.set(p.id, s);
        }
      }
    }
    phase('deduped');

    // ---- keep the best member of each cluster of tonight's near-duplicates
    const best = new Map<number, number>(); // root seq -> best member seq
    const sizes = new Map<number, number>();
    for (const [s, c] of clusterOf) {
      sizes.set(c.root, (sizes.get(c.root) ?? 1) + 1);
      const cur = best.get(c.root) ?? c.root;
      if (better(members[s]!, members[cur]!, keep)) best.set(c.root, s);
    }

    // ---- B2: route in input order and write the run's output
    const sink = new DirectorySink(staging, { annotate: cfg.output.annotate, annotationKey: cfg.output.annotationKey, gzip: cfg.output.compress === 'gzip', sideMaxRecords: cfg.output.shardMaxRecords, stratumField: (cfg.route.balanceBy as string | null) ?? null });
    const accepted = new Set<number>();
    const onOutcomes = (outs: Outcome[]) => sink.write(outs);
    const seqById = new Map<string, number>();
    const diversityHist: Record<string, number[]> = {};
    seq = 0;
    const record = (x: Outcome) => {
      if (x.annotation.decision === 'quarantine') return;
      const h = x.contentHash!;
      ledger.note(h[0]!, h[1]!, run.runId, x.annotation.origin.label, x.annotation.origin.p_ai, x.annotation.decision === 'accept');
      if (x.annotation.decision === 'accept') {
        const s = seqById.get(x.id);
        if (s !== undefined) accepted.add(s);
      }
      for (const k of ['mattr', 'distinct_2', 'compression_ratio']) {
        const v = x.annotation.diversity[k];
        if (typeof v === 'number') (diversityHist[k] ??= new Array(10).fill(0))[Math.max(0, Math.min(9, Math.floor(k === 'compression_ratio' ? v : v * 10)))]!++;
      }
    };
    for (let i = 0; i < run.files.length; i++) {
      for await (const p of readSpool(spools[i]!, core)) {
        const s = seq++;
        p.seq = s;
        core.countInput(p.bytes);
        const outs: Outcome[] = [];
        if (p.kind === 'q') core.decide(p, outs, null);
        else {
          seqById.set(p.id, s);
          let dup: DupScore | null = dupOf.get(s) ?? null;
          const c = clusterOf.get(s);
          const root = c ? c.root : best.has(s) ? s : -1;
          if (root >= 0) {
            const b = best.get(root) ?? root;
            if (b !== s) dup = { kind: c?.kind ?? 'near', of: members[b]!.id, similarity: c?.similarity ?? 1 };
          }
          core.decide(p as Prepared, outs, dup, reuse.has(s) ? ['synthetic_reuse'] : undefined);
        }
        outs.forEach(record);
        await onOutcomes(outs);
      }
    }
    const tailOuts = await core.end();
    tailOuts.forEach(record);
    await onOutcomes(tailOuts);
    await sink.close();
    phase('written');

    // index maintenance: tonight's clusters are represented by their kept member; records that were indexed but
    // not accepted (a cluster's non-best root, capped, balanced away) leave the index so they do not suppress later
    // nights' twins, and a best member that is not the root joins it
    if (dedup) {
      for (const [id, s] of tonight) if (!accepted.has(s)) dedup.remove(id);
      const joiners = new Set<string>();
      for (const [root, b] of best) if (b !== root && accepted.has(b)) joiners.add(members[b]!.id);
      if (joiners.size) {
        for (let i = 0; i < run.files.length; i++) {
          for await (const p of readSpool(spools[i]!, core)) if (p.kind === 's' && joiners.has(p.id)) dedup.commit(p.id, p.features);
        }
      }
    }

    // ---- report + manifest, then the output directory goes into place
    const st = core.stats;
    const summary: RunSummary = {
      runId: run.runId,
      startedAt: run.startedAt,
      inputs: st.seen,
      files: run.files.length,
      accept: st.accept,
      reject: st.reject,
      quarantine: st.quarantine,
      synthetic_share: st.accept ? st.originAccepted.synthetic / st.accept : 0,
      tail_retention: tailRetention(st),
      reasons: st.reasons,
    };
    const runs = [...(snap?.runs ?? []), summary];
    const clusterSizes: Record<string, number> = {};
    for (const n of sizes.values()) clusterSizes[String(n)] = (clusterSizes[String(n)] ?? 0) + 1;
    const report: Report = {
      version: VERSION,
      run_id: run.runId,
      started_at: run.startedAt,
      config_fingerprint: fp,
      inputs: run.files.map((f) => ({ file: f.rel, bytes: f.size, sha256: f.sha256 })),
      counts: { input: st.seen, accept: st.accept, reject: st.reject, quarantine: st.quarantine },
      reasons: st.reasons,
      origin: { input: st.origin, accepted: st.originAccepted },
      max_synthetic_share: cfg.route.maxSyntheticShare,
      shards: sink.shards,
      rejects: sink.rejects,
      quarantine: sink.quarantine,
      p_ai_hist: st.pAiHist,
      diversity_hist: diversityHist,
      tail: { ...st.tail, retention: tailRetention(st) },
      cluster_sizes: clusterSizes,
      history: runs,
      errors,
      config: cfg,
    };
    writeFileAtomic(join(staging, 'manifest.json'), JSON.stringify({ ...report, history: undefined }, null, 2) + '\n');
    writeFileAtomic(join(staging, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    writeFileAtomic(join(staging, 'report.html'), renderReport(report));
    mkdirSync(o.outDir, { recursive: true });
    renameSync(staging, final);
    phase('published');

    // ---- commit the new state generation
    const registry = { ...(snap?.registry ?? {}) };
    // a file that failed to read completely is not registered: the next night reads it again (what was already
    // emitted from it is then an exact duplicate of history)
    const failed = new Set(errors.map((e) => e.split(': ')[0]));
    for (const f of run.files) if (!failed.has(f.path)) registry[f.rel] = { size: f.size, mtimeMs: f.mtimeMs, sha256: f.sha256, runId: run.runId };
    store.save({
      fingerprint: fp,
      generation: snap?.generation ?? 0,
      dedup: dedup ? dedup.serialize() : null,
      tail: core.tailSnapshot(),
      ledger,
      registry,
      runs,
    });
    phase('committed');
    store.clearPending(run.runId);
    return { runId: run.runId, outDir: final, files: run.files.length, summary, resumed, errors };
  } finally {
    store.unlock();
  }
}
