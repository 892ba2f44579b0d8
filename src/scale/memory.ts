/**
 * The batch dedup's memory budget (`dedup.memory`, `clean --memory SIZE`): bytes each task of the batch engine may
 * give its external sorts (map side, reduce) and the cluster task. A size is a number of bytes or a number with a
 * unit: K, M, G, T (powers of 1024; "KB", "KiB", "MiB", ... mean the same). At least 1 MiB.
 */
import { SynthfilterError } from '../errors.js';
import type { Config } from '../config/index.js';

/** The budget when neither the config nor the flag names one. */
export const DEFAULT_MEMORY_BYTES = 256 * 2 ** 20;
export const MIN_MEMORY_BYTES = 2 ** 20;

const UNITS: Record<string, number> = { '': 1, B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** Bytes of a size ("512M", "1G", "1.5GiB", 1048576), or null when it is not one (or below 1 MiB). */
export function parseSize(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) && v >= MIN_MEMORY_BYTES ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(v.trim());
  if (!m) return null;
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
  return Number.isSafeInteger(bytes) && bytes >= MIN_MEMORY_BYTES ? bytes : null;
}

/** `--memory SIZE`: bytes, or a usage error (exit 2) naming the flag and the value. */
export function parseMemoryFlag(v: string): number {
  const n = parseSize(v);
  if (n === null) throw new SynthfilterError('E_USAGE', `clean: --memory must be a size of at least 1M such as 512M or 1G (units K, M, G, T), got "${v}"`);
  return n;
}

/** The budget a config names (`dedup.memory`), or the default. */
export function memoryBytesOf(cfg: Config): number {
  const v = (cfg.dedup as { memory?: unknown }).memory;
  if (v === undefined) return DEFAULT_MEMORY_BYTES;
  const n = parseSize(v);
  if (n === null) throw new SynthfilterError('E_CONFIG', `config: dedup.memory must be a number of bytes (at least 1 MiB) or a size such as "512M" or "1G", got ${JSON.stringify(v)}`);
  return n;
}

/** The dedup engine a config names (absent: "index"). */
export const engineOf = (cfg: Config): 'index' | 'batch' => ((cfg.dedup as { engine?: string }).engine === 'batch' ? 'batch' : 'index');
