/**
 * `synthfilter state verify --state DIR`: check a file-backend state folder without changing it.
 *
 * stdout (data): one JSON object per file checked, {file, status, bytes?, crc32?, detail?} (src/state/verify.ts).
 * stderr (human): a one-line summary, and one line per damaged or missing file.
 * Exit 0 when the folder is good (also a new, empty folder, and a format-1 folder whose files decode), 6 when a file
 * is damaged or missing (clean would refuse the folder), 2 on a usage error (no --state, not a directory).
 */
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CliIO } from '../main.js';
import { EXIT } from '../main.js';
import { verifyStateDir } from '../../state/verify.js';

const HELP = `Usage: synthfilter state verify --state DIR [--quiet]

Checks a state folder written by \`synthfilter clean --state DIR\` without changing it: STATE.json, every file of
the current generation (present, format version, checksum, the checksum STATE.json records, readable content) and
pending.json. Prints one JSON line per file to stdout ({file, status, bytes, crc32, detail}; status is ok, legacy,
damaged, missing or leftover) and a summary to stderr.

Exit codes: 0 good, 2 usage error, 6 a file is damaged or missing (the file is named).`;

export async function stateCommand(argv: string[], io: CliIO): Promise<number> {
  const sub = argv[0];
  if (sub === '-h' || sub === '--help' || sub === 'help') {
    io.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (sub !== 'verify') {
    io.stderr.write(`synthfilter state: unknown command "${sub ?? ''}" (try: synthfilter state verify --state DIR)\n`);
    return EXIT.usage;
  }
  return stateVerify(argv.slice(1), io);
}

export async function stateVerify(argv: string[], io: CliIO): Promise<number> {
  let values: { state?: string; quiet?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, allowPositionals: false, options: { state: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    io.stderr.write(`synthfilter state verify: ${(e as Error).message}\nTry 'synthfilter state verify --help'.\n`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const dir = values.state;
  if (!dir) {
    io.stderr.write('synthfilter state verify: missing --state DIR\n');
    return EXIT.usage;
  }
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    /* reported below */
  }
  if (!isDir) {
    io.stderr.write(`synthfilter state verify: ${dir} is not a directory\n`);
    return EXIT.usage;
  }
  const v = verifyStateDir(dir);
  for (const f of v.files) io.stdout.write(JSON.stringify(f) + '\n');
  const say = (line: string) => io.stderr.write(`synthfilter: ${line}\n`);
  for (const f of v.files) if (f.status === 'damaged' || f.status === 'missing') say(`error: state ${dir}: ${f.file} is ${f.status === 'missing' ? 'missing' : `damaged (${f.detail})`}`);
  if (!values.quiet) {
    const count = (s: string) => v.files.filter((f) => f.status === s).length;
    const where = v.generation === null ? 'no committed generation' : `generation ${v.generation}, format ${v.format}`;
    const parts = ['ok', 'legacy', 'damaged', 'missing', 'leftover'].filter((s) => count(s)).map((s) => `${count(s)} ${s}`);
    say(`state ${dir} (${where}): ${v.damaged ? 'DAMAGED' : 'good'}${parts.length ? ` — ${parts.join(', ')}` : ''}`);
    if (v.format === 1) say('format 1 (written before checksums): its files cannot be checked, only decoded; the next clean run rewrites it as format 2');
    if (v.locked) say('a lock file is present: if a run is active, the folder may have changed while it was checked');
  }
  return v.damaged ? EXIT.state : EXIT.ok;
}
