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
 *
 * State goes through one interface (src/state/backend.ts): the file backend (--state DIR, the default) or Redis
 * (state.backend "redis", docs/redis.md), where many workers, each on its own partition of the inputs and with its
 * own --out, deduplicate against one index: B1's checks are atomic check-and-inserts in batches, keep-best stays
 * local to the worker, and the run's index entries are rolled back if it does not commit.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, statSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { cpus } from 'node:os';
import { ScoringPool } from './pool.js';
import { fingerprint, type Config } from '../config/index.js';
import { SynthfilterError } from '../errors.js';
import { DirectorySink, writeFileAtomic } from '../sink/files.js';
import { newRunId, validateName } from '../fsx/names.js';
import { removeContained, renameContained } from '../fsx/contained.js';
import { assertOutputFree, checkCleanFolders, cleanRoots, finalDir, reclaimOwnOutput, stagingDir, writeStoppedManifest } from './clean-paths.js';
import { RunStopped, StopWatch, type StopSignal } from './stop.js';
import type { PendingRun, RegistryEntry, RunSummary } from '../state/file-store.js';
import { createStateBackend, redactUrl, stateSettings, type DedupItem, type DedupVerdict, type LedgerNote } from '../state/index.js';
import { buildScorers } from '../score/build.js';
import { FilterCore, tailRetention, type Prepared } from './core.js';
import { readSpool, splitPoints, writeSpool, type SpoolResult } from './spool.js';
import type { Report } from '../report/report.js';
import { NightStats } from '../report/collect.js';
import { publishReport } from '../report/publish.js';
import { risingWarning, shareWarnings, type RunWarning } from './share-warnings.js';
import type { ShareReport } from './share.js';
import { VERSION } from '../version.js';
import type { DupScore, OriginLabel, Outcome } from '../types.js';
import { internalsOf } from './outcome-internals.js';

export interface CleanOptions {
  inDir: string;
  outDir: string;
  /** the file backend's directory; with state.backend "redis" optional (local spools only); without it and
   * without redis, nothing is persisted (memory backend) */
  stateDir?: string;
  /** this worker's partition of the inputs (lock, pending run, registry, history); default: the absolute --in path */
  partition?: string;
  cfg: Config;
  workers?: number;
  /** a safe name (src/fsx/names.ts); default: run-<UTC time>-<random> */
  runId?: string;
  /** aborted (reason "SIGTERM" or "SIGINT") to stop the run cleanly: nothing is published or committed, the
   * stopped manifest goes to the staging folder, and a rerun resumes */
  signal?: AbortSignal;
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
  /** the run was stopped by this signal (nothing published or committed) */
  stoppedBy?: StopSignal;
  /** the stopped run's manifest (in its staging folder) */
  stoppedManifest?: string;
  /** warnings about the night's synthetic share (also in manifest.json and report.json); the CLI logs them */
  warnings: RunWarning[];
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

async function sha256File(path: string, stop: StopWatch): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    stop.check();
    h.update(chunk as Buffer);
  }
  return h.digest('hex');
}

/** Plan the run: new or changed inputs. Unchanged size+mtime skips hashing; a changed file with the same content
 * hash is treated as unchanged (its mtime is refreshed in the registry). */
async function plan(o: CleanOptions, registry: Record<string, RegistryEntry>, generation: number, fp: string, stop: StopWatch): Promise<PendingRun> {
  const known = new Set(Object.values(registry).map((r) => r.sha256));
  const files: PendingRun['files'] = [];
  for (const path of listInputs(o.inDir)) {
    const rel = relative(o.inDir, path);
    const st = statSync(path);
    const prev = registry[rel];
    if (prev && prev.size === st.size && prev.mtimeMs === st.mtimeMs) continue;
    const sha256 = await sha256File(path, stop);
    if (prev?.sha256 === sha256 || (!prev && known.has(sha256))) continue;
    files.push({ path, rel, size: st.size, mtimeMs: st.mtimeMs, sha256 });
  }
  const started = new Date();
  return { runId: o.runId ?? newRunId(started), startedAt: started.toISOString(), fingerprint: fp, generation, files };
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

/** The config as reports record it: the state section only names the backend unless it is shared (then the URL is
 * recorded without its password), so a file-backed run's report is what it always was. */
function reportConfig(cfg: Config): unknown {
  const st = stateSettings(cfg);
  if (st.backend !== 'redis') return { ...cfg, state: { backend: cfg.state.backend } };
  return { ...cfg, state: { ...cfg.state, url: st.url ? redactUrl(st.url) : null } };
}

export async function runClean(o: CleanOptions): Promise<CleanResult> {
  const { cfg } = o;
  const log = o.log ?? (() => {});
  let reached = 'start';
  const phase = (p: string) => {
    if (!p.startsWith('scored:')) reached = p;
    o.onPhase?.(p);
  };
  if (o.runId !== undefined) validateName('--run-id', o.runId);
  if (o.partition !== undefined) validateName('--partition', o.partition);
  checkCleanFolders(o);
  const roots = cleanRoots(o);
  const stop = new StopWatch(o.signal);
  const fp = fingerprint(cfg);
  const stateCfg = stateSettings(cfg);
  const backend = await createStateBackend({ cfg, fingerprint: fp, partition: o.partition ?? resolve(o.inDir), stateDir: o.stateDir, outDir: o.outDir, log });
  const shared = backend.kind === 'redis';
  // workers > 1: a pool of scoring threads, started now so they load the scorers and the detector model while this
  // thread takes the lock, loads the state and plans; 1: scoring in this thread (same results either way)
  const workers = Math.max(1, o.workers ?? cpus().length);
  let pool: ScoringPool | null = workers > 1 ? new ScoringPool(cfg, workers) : null;
  // what a stop must unwind: the run (once planned), its open output, scoring in this thread
  let planned: PendingRun | null = null;
  let sink: DirectorySink | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  let resumed = false;
  try {
    await backend.lock();
    await backend.open();
    stop.check();
    let pending = await backend.readPending();
    if (pending) validateName('the pending run id in the state', pending.runId, 'E_STATE');
    const registry0 = await backend.registryGet();
    const runs0 = await backend.runsList();
    resumed = pending !== null && pending.fingerprint === fp && pending.generation === backend.generation;
    if (!resumed) {
      // a pending run that can no longer resume (committed before its cleanup finished, or planned under another
      // config) leaves nothing behind: its work files and its staging folder go before anything else
      if (pending) {
        await backend.clearPending(pending.runId);
        removeContained(stagingDir(o.outDir, pending.runId), roots);
      }
      pending = await plan(o, registry0, backend.generation, fp, stop);
      if (pending.files.length === 0) {
        log('nothing new to process', { inputs: o.inDir });
        return { runId: null, outDir: null, files: 0, summary: null, resumed: false, errors: [], warnings: [] };
      }
      // another run's output is never replaced: refused before this run leaves any trace in the state
      assertOutputFree(o.outDir, pending.runId);
      await backend.writePending(pending);
    } else log(`resuming interrupted run ${pending!.runId}`);
    const run = pending!;
    planned = run;
    // a shared index forgets what an interrupted attempt of this partition indexed before the run is redone
    await backend.beginRun(run.runId);
    phase('planned');
    const final = finalDir(o.outDir, run.runId);
    const staging = stagingDir(o.outDir, run.runId);
    // a crash after the output was renamed but before the state commit: redo (deterministically) from the old
    // state; only this pending run's own output is removed (clean-paths.ts)
    reclaimOwnOutput(o, run);
    stop.check();
    const work = join(backend.workDir, run.runId);
    mkdirSync(work, { recursive: true });

    // ---- phase A: pure scoring, in parallel, into spools (a complete spool from a crashed attempt is reused)
    // a large plain JSONL file is scored in parts (byte ranges cut at line starts; the cut depends only on the file,
    // never on --workers), so one big new file still keeps every scoring thread busy
    const parts = run.files.map((f, i) =>
      splitPoints(f.path, f.size, cfg.input.format).map((r, k, all) => ({
        spool: join(work, `${String(i).padStart(6, '0')}-${String(k).padStart(4, '0')}.spool`),
        range: all.length > 1 ? r : null,
      })),
    );
    // the scoring threads also compute what the sequential phases need per record (features, MinHash lanes)
    const spoolOpts = { lanes: backend.signatureLanes };
    const local = pool ? null : new FilterCore(cfg);
    const partScored: Array<Array<Promise<SpoolResult>>> = [];
    const scored = run.files.map((f, i) => {
      const one = (part: (typeof parts)[number][number]) => {
        const go = async (): Promise<SpoolResult> => {
          stop.check();
          if (existsSync(part.spool + '.done')) return JSON.parse(readFileSync(part.spool + '.done', 'utf8')) as SpoolResult;
          return pool ? await pool.score(f.path, part.spool, part.range, spoolOpts) : await writeSpool(cfg, f.path, part.spool, local!, spoolOpts, part.range, stop);
        };
        if (pool) return go();
        const p = chain.then(go);
        chain = p.catch(() => {});
        return p;
      };
      partScored[i] = parts[i]!.map(one);
      partScored[i]!.forEach((p) => p.catch(() => {}));
      return Promise.all(partScored[i]!).then((rs): SpoolResult => {
        // a part that hit a read error ends the file there (as an unsplit read would, and spoolItems does)
        const bad = rs.findIndex((x) => x.error);
        const used = bad >= 0 ? rs.slice(0, bad + 1) : rs;
        const r = { items: used.reduce((a, x) => a + x.items, 0), error: bad >= 0 ? rs[bad]!.error : null };
        phase(`scored:${i}`);
        log(`scored ${i + 1}/${run.files.length} ${f.rel}: ${r.items} records${r.error ? ` (read error: ${r.error})` : ''}`, { run: run.runId, file: f.rel, records: r.items });
        return r;
      });
    });
    // surface the first failure without leaving unhandled rejections behind
    scored.forEach((p) => p.catch(() => {}));

    // ---- B1: dedup against history and tonight, in input order (overlaps phase A). Checks go to the backend in
    // batches (a shared backend: atomic check-and-insert per batch, several batches in flight, applied in order)
    const scorers = buildScorers(cfg, { scoring: false }); // this thread routes; scoring happened in phase A
    const dedupOn = backend.dedup;
    const core = new FilterCore(cfg, { shards: true, scorers: { ...scorers, dedup: null } });
    const tail0 = await backend.tailGet();
    if (tail0) core.restoreTail(tail0);
    const keep = (cfg.dedup as { keep?: string }).keep ?? 'human-first';
    const maxReuse = (cfg.route as { maxSyntheticReuse?: number }).maxSyntheticReuse ?? 1;
    const tonight = new Map<string, number>(); // ref -> seq of tonight's indexed records
    const refOf = new Map<number, string>(); // seq -> ref of tonight's indexed records
    const memberItems = new Map<number, DedupItem>(); // seq -> cluster member (a candidate representative)
    const members: Member[] = []; // by seq (only scored records)
    let parentArr = new Int32Array(1024).fill(-1); // seq -> root seq of its cluster (-1: none)
    const dupOf = new Map<number, DupScore>(); // seq -> dup against history (final)
    const clusterOf = new Map<number, { root: number; kind: 'exact' | 'near'; similarity: number }>();
    const reuse = new Set<number>();
    let seq = 0;
    const labelOf = scorers.labelOf ?? (() => 'unknown' as OriginLabel);
    const errors: string[] = [];
    const batchSize = shared ? stateCfg.batch : 1024;
    const inFlight = shared ? stateCfg.inFlight : 1;
    interface Batch {
      seqs: number[];
      items: DedupItem[];
      synthetic: number[]; // positions of synthetic-labelled records (synthetic reuse check)
    }
    let batch: Batch = { seqs: [], items: [], synthetic: [] };
    const queue: Array<{ seqs: number[]; items: DedupItem[]; verdicts: Promise<DedupVerdict[]> }> = [];
    const applyVerdicts = async (q: (typeof queue)[number]) => {
      const vs = await q.verdicts;
      for (let k = 0; k < vs.length; k++) {
        const s = q.seqs[k]!;
        const { dup: d, matchRef, ref } = vs[k]!;
        if (d.kind !== null && d.of !== null) {
          const t = matchRef !== null ? tonight.get(matchRef) : undefined;
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
            memberItems.set(s, q.items[k]!);
          } else dupOf.set(s, d);
          continue;
        }
        if (ref !== null) {
          tonight.set(ref, s);
          refOf.set(s, ref);
        }
      }
    };
    const flush = async () => {
      const b = batch;
      batch = { seqs: [], items: [], synthetic: [] };
      if (b.seqs.length === 0) return;
      let seqs = b.seqs;
      let items = b.items;
      if (b.synthetic.length) {
        const prior = await backend.ledgerGet(b.synthetic.map((k) => b.items[k]!.features.exactHash));
        const drop = new Set<number>();
        prior.forEach((e, j) => {
          if (e && e.emitted >= maxReuse) drop.add(b.synthetic[j]!);
        });
        if (drop.size) {
          for (const k of drop) reuse.add(b.seqs[k]!);
          seqs = seqs.filter((_, k) => !drop.has(k));
          items = items.filter((_, k) => !drop.has(k));
        }
      }
      if (!dedupOn || items.length === 0) return;
      const verdicts = backend.checkAndInsert(items);
      verdicts.catch(() => {}); // awaited in order below; a failure must not surface as an unhandled rejection first
      queue.push({ seqs, items, verdicts });
      while (queue.length >= inFlight) await applyVerdicts(queue.shift()!);
    };
    // spools read in B1 stay in memory for B2 (and the joiner pass) up to a budget, so each is parsed and
    // featurised once; beyond the budget a pass re-reads its spool
    let cacheBudget = 256 * 2 ** 20;
    const cache: Array<Prepared[] | null> = run.files.map(() => null);
    // a file's records: its parts' spools in order, line numbers continued across parts
    async function* spoolItems(i: number, fill: boolean): AsyncGenerator<Prepared> {
      const c = cache[i];
      if (c) return yield* c;
      // each part is read as soon as it is scored (the first pass does not wait for the whole file)
      let keep = fill;
      let taken = 0;
      const arr: Prepared[] = [];
      let base = 0;
      for (let k = 0; k < parts[i]!.length; k++) {
        const r = await stop.race(partScored[i]![k]!);
        const size = statSync(parts[i]![k]!.spool).size;
        if (keep && size <= cacheBudget) {
          cacheBudget -= size;
          taken += size;
        } else keep = false;
        for await (const p of readSpool(parts[i]![k]!.spool, core, base)) {
          if (keep) arr.push(p);
          yield p;
        }
        base += r.lines ?? 0;
        if (r.error) break; // a read error ends the file there, as an unsplit read would
      }
      if (keep) cache[i] = arr;
      else cacheBudget += taken;
    }
    for (let i = 0; i < run.files.length; i++) {
      for await (const p of spoolItems(i, true)) {
        stop.check();
        const s = seq++;
        p.seq = s;
        if (p.kind !== 's') continue;
        const label = labelOf(p.origin, p.record);
        members[s] = { seq: s, id: p.id, label, length: p.features.byteLength, clean: p.ruleFailures.length === 0 };
        if (label === 'synthetic') batch.synthetic.push(batch.seqs.length);
        batch.seqs.push(s);
        batch.items.push({ id: p.id, features: p.features, insert: members[s]!.clean });
        if (batch.seqs.length >= batchSize) await flush();
      }
      const res = await stop.race(scored[i]!);
      if (res.error) errors.push(res.error);
    }
    await flush();
    while (queue.length) await applyVerdicts(queue.shift()!);
    // the threads are done: they terminate in the background (20-50 ms) while this thread routes
    const closing = pool?.close().catch(() => {});
    pool = null;
    phase('deduped');

    // ---- keep the best member of each cluster of tonight's near-duplicates
    const best = new Map<number, number>(); // root seq -> best member seq
    const sizes = new Map<number, number>();
    for (const [s, c] of clusterOf) {
      sizes.set(c.root, (sizes.get(c.root) ?? 1) + 1);
      const cur = best.get(c.root) ?? c.root;
      if (better(members[s]!, members[cur]!, keep)) best.set(c.root, s);
    }
    // the chosen members take their roots' place in the index: at once on a shared backend (which keeps the root
    // when another worker already matched it, or the member now duplicates another worker's record), after
    // routing (`join`, accepted members only) on a private one
    const settledNow = new Set<number>(); // roots whose representative is indexed already
    if (dedupOn && best.size) {
      const reqs = [...best];
      const res = await backend.settle(reqs.map(([root, b]) => ({ root: refOf.get(root)!, best: memberItems.get(b)! })));
      res.forEach((r, i) => {
        const [root, b] = reqs[i]!;
        if (r.indexed) settledNow.add(root);
        if (!r.best) best.delete(root);
        else if (r.indexed && r.ref !== null) {
          tonight.delete(refOf.get(root)!);
          refOf.delete(root);
          tonight.set(r.ref, b);
          refOf.set(b, r.ref);
        }
      });
    }
    memberItems.clear();
    phase('settled');

    // ---- B2: route in input order and write the run's output
    stop.check();
    sink = new DirectorySink(staging, { annotate: cfg.output.annotate, annotationKey: cfg.output.annotationKey, gzip: cfg.output.compress === 'gzip', sideMaxRecords: cfg.output.shardMaxRecords, stratumField: (cfg.route.balanceBy as string | null) ?? null });
    const accepted = new Set<number>();
    // outcomes go to the sink in blocks: one write per record would cost a stream write and a zlib job each
    let block: Outcome[] = [];
    const onOutcomes = async (outs: Outcome[], force = false) => {
      for (const x of outs) block.push(x);
      if (block.length >= 1024 || (force && block.length)) {
        const b = block;
        block = [];
        await sink!.write(b);
      }
    };
    const seqById = new Map<string, number>();
    const night = new NightStats(cfg, run.files.map((f) => ({ path: f.path, name: f.rel }))); // the report's counts
    const diversityHist: Record<string, number[]> = {};
    seq = 0;
    const notes: LedgerNote[] = [];
    const record = (x: Outcome) => {
      night.observe(x);
      if (x.annotation.decision === 'quarantine') return;
      notes.push({ hash: internalsOf(x)!.features!.exactHash, run: run.runId, label: x.annotation.origin.label, pAi: x.annotation.origin.p_ai, emitted: x.annotation.decision === 'accept' });
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
      for await (const p of spoolItems(i, false)) {
        stop.check();
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
        if (notes.length >= 4096) await backend.ledgerNote(notes.splice(0));
      }
    }
    const tailOuts = await core.end();
    tailOuts.forEach(record);
    await onOutcomes(tailOuts, true);
    await backend.ledgerNote(notes.splice(0));
    await sink.close();
    phase('written');

    // index maintenance: tonight's clusters are represented by their kept member; records that were indexed but
    // not accepted (a cluster's non-best root, capped, balanced away) leave the index so they do not suppress later
    // nights' twins, and a best member that is not the root joins it
    if (dedupOn) {
      const gone: string[] = [];
      for (const [ref, s] of tonight) if (!accepted.has(s)) gone.push(ref);
      await backend.remove(gone);
      const joiners = new Set<string>();
      for (const [root, b] of best) if (b !== root && accepted.has(b) && !settledNow.has(root)) joiners.add(members[b]!.id);
      if (joiners.size) {
        const items: DedupItem[] = [];
        for (let i = 0; i < run.files.length; i++) {
          for await (const p of spoolItems(i, false)) {
            stop.check();
            if (p.kind === 's' && joiners.has(p.id)) items.push({ id: p.id, features: p.features, insert: true });
          }
        }
        await backend.join(items);
      }
    }

    // ---- report + manifest, then the output directory goes into place: the last point a stop is taken (after
    // it, the run finishes: publishing and committing are short and must not be cut in two)
    stop.check();
    const st = core.stats;
    const share = st.syntheticShare.report();
    const est = share.estimate;
    const warnings = shareWarnings(st.syntheticShare, share, cfg.route.maxSyntheticShare);
    const rising = risingWarning(est?.input ?? null, runs0.map((x) => x.synthetic_share_estimate?.input));
    if (rising) warnings.push(rising);
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
      synthetic_share_estimate: est ? { input: est.input, accepted: est.accepted, undeclared: est.undeclared } : null,
    };
    const runs = [...runs0, summary];
    const clusterSizes: Record<string, number> = {};
    for (const n of sizes.values()) clusterSizes[String(n)] = (clusterSizes[String(n)] ?? 0) + 1;
    // the synthetic share (label counts and the estimate) and its warnings are additive fields of the report
    const report: Report & { synthetic_share: { input: number; accepted: number } & ShareReport; warnings: RunWarning[] } = {
      version: VERSION,
      run_id: run.runId,
      started_at: run.startedAt,
      config_fingerprint: fp,
      inputs: run.files.map((f) => ({ file: f.rel, bytes: f.size, sha256: f.sha256 })),
      counts: { input: st.seen, accept: st.accept, reject: st.reject, quarantine: st.quarantine },
      reasons: st.reasons,
      origin: { input: st.origin, accepted: st.originAccepted },
      max_synthetic_share: cfg.route.maxSyntheticShare,
      synthetic_share: {
        input: st.seen - st.quarantine ? st.origin.synthetic / (st.seen - st.quarantine) : 0,
        accepted: st.accept ? st.originAccepted.synthetic / st.accept : 0,
        ...share,
      },
      warnings,
      shards: sink.shards.map((x) => ({ ...x, synthetic_share_estimate: st.syntheticShare.shard(x.name) })),
      rejects: sink.rejects,
      quarantine: sink.quarantine,
      p_ai_hist: st.pAiHist,
      diversity_hist: diversityHist,
      tail: { ...st.tail, retention: tailRetention(st) },
      cluster_sizes: clusterSizes,
      history: runs,
      errors,
      config: reportConfig(cfg),
    };
    writeFileAtomic(join(staging, 'manifest.json'), JSON.stringify({ ...report, history: undefined, complete: true, stopped_by: null }, null, 2) + '\n');
    night.historyDuplicates = dupOf.size;
    publishReport(staging, report, night, o.stateDir);
    mkdirSync(o.outDir, { recursive: true });
    renameContained(staging, final, roots);
    phase('published');

    // ---- commit the new state generation
    const registry = { ...registry0 };
    // a file that failed to read completely is not registered: the next night reads it again (what was already
    // emitted from it is then an exact duplicate of history)
    const failed = new Set(errors.map((e) => e.split(': ')[0]));
    for (const f of run.files) if (!failed.has(f.path)) registry[f.rel] = { size: f.size, mtimeMs: f.mtimeMs, sha256: f.sha256, runId: run.runId };
    await backend.registrySet(registry);
    await backend.runsAppend(summary);
    await backend.tailSet(core.tailSnapshot());
    await backend.persist();
    phase('committed');
    await backend.clearPending(run.runId);
    await closing;
    return { runId: run.runId, outDir: final, files: run.files.length, summary, resumed, errors, warnings };
  } catch (e) {
    if (!(e instanceof RunStopped)) throw e;
    // stopped by a signal: nothing was published or committed (the state is as before the run, the pending run
    // stays so the rerun resumes it); the open output is dropped and scoring in this thread winds down first
    sink?.abort();
    await pool?.close();
    pool = null;
    await chain;
    const run = planned as PendingRun | null;
    const stoppedManifest = run ? writeStoppedManifest(o.outDir, run, e.signal, reached) : undefined;
    log(`stopped by ${e.signal} after phase "${reached}"${run ? `: run ${run.runId} was not published; rerun to resume it (manifest: ${stoppedManifest})` : ''}`, { run: run?.runId ?? null, stopped_by: e.signal });
    return { runId: run?.runId ?? null, outDir: null, files: run?.files.length ?? 0, summary: null, resumed, errors: [], warnings: [], stoppedBy: e.signal, stoppedManifest };
  } finally {
    await pool?.close();
    await backend.close();
  }
}
