/** Labelled-corpus helpers shared by the training and evaluation scripts (not used by the streaming stage). */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface LabelledText {
  id: string;
  text: string;
  /** 1 = ai, 0 = human */
  label: 0 | 1;
  domain: string;
  source: string;
  generator: string;
  /** pairing key: texts sharing it (a human text and its machine counterpart) never straddle a split */
  group: string;
}

/** Read a JSONL file, gunzipping when its name ends in .gz. Blank lines are skipped. */
export function readJsonl(path: string): Array<Record<string, unknown>> {
  let buf = readFileSync(path);
  if (path.endsWith('.gz')) buf = gunzipSync(buf);
  const out: Array<Record<string, unknown>> = [];
  const lines = buf.toString('utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch (e) {
      throw new Error(`${path}:${i + 1}: bad JSON: ${(e as Error).message}`);
    }
  });
  return out;
}

export function parseLabel(v: unknown): 0 | 1 | null {
  if (v === 1 || v === true) return 1;
  if (v === 0 || v === false) return 0;
  if (typeof v !== 'string') return null;
  const s = v.toLowerCase();
  if (s === 'ai' || s === 'machine' || s === 'synthetic' || s === 'generated' || s === 'llm') return 1;
  if (s === 'human') return 0;
  return null;
}

/**
 * Pairing key of a corpus id (see shared/corpora/README.md): GriD and M4 Reddit texts group by post id across both
 * files; Raidar by row index within a file; M4 by its key; ZipPy texts are their own group.
 */
export function groupKey(id: string): string {
  const p = id.split(':');
  if (p[0] === 'grid' && p.length >= 4) return `reddit:${p[2]}`;
  if (p[0] === 'm4' && p.length >= 4) return p[1] === 'reddit-askhistorians' ? `reddit:${p[2]}` : `m4:${p[1]}:${p[2]}`;
  if (p[0]!.startsWith('raidar-') && p.length >= 3) return `${p[0]}:${p[p.length - 1]}`;
  return id;
}

/** All corpus files of a directory (*.jsonl.gz / *.jsonl), sorted by name for determinism. */
export function loadCorpora(dir: string): LabelledText[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl.gz') || f.endsWith('.jsonl'))
    .sort();
  if (files.length === 0) throw new Error(`no *.jsonl.gz corpora in ${dir}`);
  const out: LabelledText[] = [];
  for (const f of files) {
    for (const r of readJsonl(join(dir, f))) {
      const label = parseLabel(r.label);
      if (label === null || typeof r.text !== 'string') continue;
      const id = String(r.id ?? `${f}:${out.length}`);
      out.push({
        id,
        text: r.text,
        label,
        domain: String(r.domain ?? 'unknown'),
        source: String(r.source ?? f),
        generator: String(r.generator ?? ''),
        group: groupKey(id),
      });
    }
  }
  return out;
}
