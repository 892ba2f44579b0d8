/** Reading human texts for the collapse experiment: JSONL, optionally gzip-compressed, with a `text` field. */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

export interface TextRow {
  text: string;
  label?: unknown;
}

/** Every JSON object line of a .jsonl or .jsonl.gz file (blank and unparsable lines are skipped). */
export function readJsonl(file: string): TextRow[] {
  let buf = readFileSync(file);
  if (file.endsWith('.gz') || (buf[0] === 0x1f && buf[1] === 0x8b)) buf = gunzipSync(buf);
  const rows: TextRow[] = [];
  for (const line of buf.toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const v = JSON.parse(line) as Record<string, unknown>;
      if (v && typeof v === 'object' && typeof v['text'] === 'string') rows.push({ text: v['text'], label: v['label'] });
    } catch {
      // not JSON: skipped
    }
  }
  return rows;
}

/** Texts of one file; when `humanOnly`, only rows whose label is "human" (rows without a label are kept). */
export function readTexts(file: string, humanOnly = false): string[] {
  return readJsonl(file)
    .filter((r) => !humanOnly || r.label === undefined || r.label === 'human')
    .map((r) => r.text);
}

/** The human texts (label == "human") of every *.jsonl.gz in `dir`, files in name order; null when absent. */
export function readSharedCorpora(dir: string): { texts: string[]; files: string[] } | null {
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl.gz') || f.endsWith('.jsonl'))
    .sort();
  if (files.length === 0) return null;
  const texts: string[] = [];
  for (const f of files) for (const r of readJsonl(join(dir, f))) if (r.label === 'human') texts.push(r.text);
  return { texts, files };
}
