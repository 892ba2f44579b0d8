/**
 * Batch dedup by LSH band (`npm run bench -- bands`, issue 19 items 2 and 4): records/s per phase (map, reduce,
 * cluster, history commit), bytes per record on disk, and each phase's peak RSS under a memory budget, at two
 * corpus sizes (default 1M and 5M generated records; target: a worker's peak RSS at 5M <= 1.2x that at 1M).
 *
 * Records are generated signatures, not text (featurising 5M documents would measure the featuriser): record i is
 * an original (80-140 shingles from a seeded hash of its document number, MinHash lanes likewise) or, one in ten,
 * a near copy of an earlier record (5 shingles and 1 lane of 48 changed: Jaccard ~0.9, the pair shares most bands).
 * Each phase runs in its own child process (`--phase`), so its peak RSS (ru_maxrss) is its own; one map task maps
 * the whole corpus (the worst case: a part as large as the corpus), one reduce task handles band group 0 of 4, the
 * cluster task runs its bounded path (memoryBytes = --memory) and the history commit reads the verdict file.
 * Usage: node --import tsx test/bench/bands.ts [--sizes 1000000,5000000] [--memory 64M]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { bandParamsOf, type BandParams } from '../../src/scale/bands/params.js';
import { mapPart, partFiles, type MapRecord } from '../../src/scale/bands/map.js';
import { reduceGroup } from '../../src/scale/bands/reduce.js';
import { clusterNight } from '../../src/scale/bands/cluster.js';
import { commitNight } from '../../src/scale/bands/history.js';
import { dedupConfigOf } from '../../src/score/build.js';
import { resolveConfig } from '../../src/config/index.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string): string => (args.includes(k) ? args[args.indexOf(k) + 1]! : d);
const parseBytes = (s: string): number => {
  const m = /^(\d+)([KMG]?)$/i.exec(s);
  if (!m) throw new Error(`bad size ${s}`);
  return Number(m[1]) * ({ '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as Record<string, number>)[m[2]!.toUpperCase()]!;
};
const MEMORY = parseBytes(opt('--memory', '64M'));
const GROUPS = 4;
const params: BandParams = bandParamsOf(dedupConfigOf(resolveConfig()), GROUPS);

/** splitmix-style 32-bit mixer */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Record i of the generated corpus (deterministic). */
function* corpus(n: number): Generator<MapRecord> {
  const sh = new Uint32Array(140);
  const lanes = new Uint32Array(params.numPerm);
  for (let i = 0; i < n; i++) {
    const copy = i > 100 && mix(i * 7 + 1) % 10 === 0;
    const src = copy ? mix(i * 13 + 5) % i : i;
    const len = 80 + (mix(src * 3 + 2) % 61);
    for (let k = 0; k < len; k++) sh[k] = mix(src * 1000003 + k * 7919 + 17);
    for (let l = 0; l < lanes.length; l++) lanes[l] = mix(src * 524287 + l * 131 + 3);
    if (copy) {
      for (let e = 0; e < 5; e++) sh[mix(i + e * 31) % len] = mix(i * 977 + e);
      lanes[mix(i) % lanes.length] = mix(i * 5 + 1);
    }
    const s = sh.slice(0, len).sort();
    yield { ref: i, exactHash: [mix(src ^ 0x5bd1e995), mix(src + 0x1b873593) ^ (copy ? i : 0)], shingles: dedupe(s), signature: lanes.slice() };
  }
}

function dedupe(s: Uint32Array): Uint32Array {
  let k = 0;
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[k - 1]) s[k++] = s[i]!;
  return s.subarray(0, k);
}

function dirBytes(dir: string): number {
  let t = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) t += f.isDirectory() ? dirBytes(join(dir, f.name)) : statSync(join(dir, f.name)).size;
  return t;
}

/** One phase, in this process; prints a JSON line. */
async function phase(name: string, n: number, dir: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  let extra: Record<string, unknown> = {};
  const files = partFiles(join(dir, 'map'), 'part-0', GROUPS);
  if (name === 'map') {
    const r = await mapPart(corpus(n), { params, dir: join(dir, 'map'), name: 'part-0', memoryBytes: MEMORY });
    extra = { spills: r.spills, bytes: dirBytes(join(dir, 'map')) };
  } else if (name === 'reduce') {
    const r = reduceGroup({ params, runs: [files.bandRuns[0]!], sigs: [files.sig], out: join(dir, 'pairs-0'), memoryBytes: MEMORY, tmpDir: join(dir, 'reduce-tmp') });
    extra = { candidates: r.candidates, pairs: r.pairs, spills: r.spills };
  } else if (name === 'cluster') {
    // the other groups' pairs are not computed here: group 0 holds 3 of the 12 bands. The preference arrays are the
    // caller's (ClusterOptions): 6 bytes per record here (label, length as u32, node and clean shared)
    const ones = new Uint8Array(n).fill(1);
    const labelRank = Uint8Array.from({ length: n }, (_, i) => mix(i * 11 + 3) % 3);
    const length = Uint32Array.from({ length: n }, (_, i) => 400 + (mix(i * 17 + 1) % 2000));
    const r = clusterNight({ count: n, node: ones, clean: ones, labelRank, length, keep: 'human-first', pairs: [join(dir, 'pairs-0')], exact: [files.exact], out: join(dir, 'verdicts'), memoryBytes: MEMORY });
    extra = { kept: r.kept, near: r.near, exact: r.exact, spills: r.spills };
  } else if (name === 'commit') {
    commitNight(join(dir, 'history'), params, [files], join(dir, 'verdicts'));
    extra = { bytes: dirBytes(join(dir, 'history')) };
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ phase: name, n, seconds: s, rss: process.resourceUsage().maxRSS * 1024, ...extra }));
}

if (args.includes('--phase')) {
  await phase(opt('--phase', ''), Number(opt('--n', '0')), opt('--dir', ''));
} else {
  const { report } = await import('./report.js');
  const sizes = opt('--sizes', '1000000,5000000').split(',').map(Number);
  const rows: Array<Record<string, unknown>> = [];
  const peak: Record<string, Record<number, number>> = {};
  for (const n of sizes) {
    const dir = join(ROOT, 'bench-out', 'bands', String(n));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const ph of ['map', 'reduce', 'cluster', 'commit']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'bench', 'bands.ts'), '--phase', ph, '--n', String(n), '--dir', dir, '--memory', opt('--memory', '64M')], { encoding: 'utf8', cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`bands bench: phase ${ph} at ${n} failed (${r.status})`);
      const x = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
      (peak[ph] ??= {})[n] = x.rss!;
      rows.push({
        records: n,
        phase: ph,
        'records/s': Math.round(n / x.seconds!),
        'peak RSS MB': +(x.rss! / 2 ** 20).toFixed(0),
        'disk bytes/record': x.bytes ? +(x.bytes / n).toFixed(0) : '-',
        spills: x.spills ?? '-',
        notes: ph === 'reduce' ? `${x.candidates} candidate pairs, ${x.pairs} verified (band group 0 of ${GROUPS})` : ph === 'cluster' ? `kept ${x.kept}, near ${x.near}, exact ${x.exact}` : '',
      });
      console.error(`bands: ${n} ${ph}: ${JSON.stringify(x)}`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  if (sizes.length >= 2) {
    const [a, b] = [sizes[0]!, sizes[sizes.length - 1]!];
    for (const ph of Object.keys(peak)) rows.push({ records: `${b}/${a}`, phase: ph, 'peak RSS ratio': +(peak[ph]![b]! / peak[ph]![a]!).toFixed(2) });
  }
  report('bands', {
    scope: `generated signatures (1 in 10 a near copy), ${params.bands}x${params.rows} bands in ${GROUPS} groups, verify ${params.verify} (sketch ${params.sketchSize}), --memory ${opt('--memory', '64M')} per task; each phase a child process; map = one task over the whole corpus, reduce = band group 0, cluster (bounded path, keep human-first) over group 0's pairs, commit from the verdict file`,
    target: "each phase's peak RSS at 5M records <= 1.2x that at 1M (issue 19 item 4)",
    rows,
  });
}
