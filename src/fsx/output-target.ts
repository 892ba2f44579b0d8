/**
 * What a path given as an output (--rejects, --quarantine, a shard) really is, and whether writing it is safe.
 *
 *   missing or a regular file   written under a temporary name beside it and renamed over it when complete
 *   a symlink                   its target is written (by the rules above and below); the link stays a link
 *   a FIFO, character device    opened and written in place (a reader, /dev/null, a terminal, a >(...) pipe)
 *     or socket
 *   a folder or block device    refused (E_OUTPUT)
 *
 * And before anything is written: an output that is the same file (device + inode) as an input is refused
 * (E_USAGE), so `--rejects in.jsonl in.jsonl` or `--quarantine in.jsonl < in.jsonl` cannot clobber the input.
 */
import { fstatSync, lstatSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { SynthfilterError } from '../errors.js';
import { isInside, realLocation } from './contained.js';

export interface OutputTarget {
  /** 'replace': temp + rename at `path`; 'in-place': open `path` and write it as it is */
  mode: 'replace' | 'in-place';
  /** the file to write: a symlink's final target for 'replace', the given path for 'in-place' */
  path: string;
}

const statOrNull = (f: () => Stats): Stats | null => {
  try {
    return f();
  } catch (e) {
    if (['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) return null;
    throw e;
  }
};

/** The path a chain of symlinks ends at (it may not exist: a dangling link names the file to create). */
function linkEnd(p: string): string {
  let at = resolve(p);
  for (let hops = 0; hops < 40; hops++) {
    const st = statOrNull(() => lstatSync(at));
    if (!st?.isSymbolicLink()) return at;
    at = resolve(dirname(at), readlinkSync(at));
  }
  throw new SynthfilterError('E_OUTPUT', `${p}: too many levels of symbolic links`, p);
}

/** How to write the output `p` (see the table above). */
export function outputTarget(p: string): OutputTarget {
  const own = statOrNull(() => lstatSync(p));
  if (!own) return { mode: 'replace', path: p };
  const st = own.isSymbolicLink() ? statOrNull(() => statSync(p)) : own;
  if (!st) return { mode: 'replace', path: linkEnd(p) }; // a dangling link: create its target
  if (st.isFile()) return { mode: 'replace', path: own.isSymbolicLink() ? realpathSync.native(p) : p };
  if (st.isFIFO() || st.isCharacterDevice() || st.isSocket()) return { mode: 'in-place', path: p };
  const what = st.isDirectory() ? 'a folder' : 'a block device';
  throw new SynthfilterError('E_OUTPUT', `${p} is ${what}; an output must be a file, a FIFO or a character device`, p);
}

const same = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;

export interface NamedOutput {
  /** the flag that named it, for the message */
  flag: string;
  path: string;
}

/**
 * Refuse (E_USAGE) an output that is an existing regular file that is also one of the inputs (symlinks and hard
 * links included), or standard input when `stdinIsInput`. Inputs that cannot be stat'ed are left to the reader.
 */
export function assertOutputsAreNotInputs(outputs: NamedOutput[], inputs: string[], stdinIsInput: boolean): void {
  const ins: Array<{ name: string; st: Stats }> = [];
  for (const i of inputs) {
    if (i === '-') continue;
    const st = statOrNull(() => statSync(i));
    if (st) ins.push({ name: i, st });
  }
  if (stdinIsInput) {
    const st = statOrNull(() => fstatSync(0));
    if (st) ins.push({ name: 'standard input', st });
  }
  for (const o of outputs) {
    const st = statOrNull(() => statSync(o.path));
    if (!st?.isFile()) continue; // FIFOs and devices are written in place, never replaced
    const hit = ins.find((i) => same(i.st, st));
    if (hit) throw new SynthfilterError('E_USAGE', `${o.flag} ${o.path} is the same file as the input ${hit.name}: refusing to overwrite an input`);
  }
}

/** Output names directly in an --out folder that the directory sink writes (shards, manifest) and its sub-folders. */
const SINK_NAME = /^(shard-\d+\.jsonl(\.gz)?|manifest\.json)$/;
const SINK_DIRS = ['rejects', 'quarantine'];

/** Refuse (E_USAGE) an input file that the directory sink writing to `outDir` could replace. */
export function assertOutDirSparesInputs(outDir: string, inputs: string[]): void {
  const out = realLocation(outDir);
  for (const i of inputs) {
    if (i === '-') continue;
    const at = realLocation(i);
    const clash = (dirname(at) === out && SINK_NAME.test(basename(at))) || SINK_DIRS.some((d) => isInside(at, resolve(out, d)));
    if (clash) throw new SynthfilterError('E_USAGE', `input ${i} lies where --out ${outDir} writes its output: refusing to overwrite an input`);
  }
}
