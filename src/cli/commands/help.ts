/**
 * `synthfilter help [COMMAND]`, `synthfilter --help`, `synthfilter COMMAND --help`: help on stdout, built from the
 * command table (main.ts), the flag catalogue (flags.ts) and the exit-code table (exit-codes.ts), so it is
 * complete by construction.
 */
import { usageError } from '../../errors.js';
import { VERSION } from '../../version.js';
import { EXIT, EXIT_CODES } from '../exit-codes.js';
import { FLAGS, GLOBAL_FLAGS, flagHelp, parseFlags, type FlagName } from '../flags.js';
import type { CliIO, CommandSpec } from '../main.js';
import { writeText } from '../write-text.js';

const INPUT = 'Input: JSONL or a top-level JSON array, plain, .gz or .zst (detected by magic bytes); stdin when no FILE or "-".';

function exitCodeLines(): string {
  return EXIT_CODES.map((r) => `  ${String(r.code).padStart(3)}  ${r.meaning.replace(/`/g, '')}`).join('\n');
}

/** The overview: every command, every flag with the commands that take it, the exit codes. */
export function overview(commands: readonly CommandSpec[]): string {
  const usage = commands.map((c) => `  synthfilter ${c.usage}\n      ${c.summary}`).join('\n');
  const names = Object.keys(FLAGS) as FlagName[];
  const takers = (f: FlagName) => (GLOBAL_FLAGS.includes(f) ? 'all' : commands.filter((c) => c.flags.includes(f)).map((c) => c.name).join(', '));
  const rows = flagHelp(names).split('\n').map((line, i) => `${line} [${takers(names[i]!)}]`);
  return `synthfilter ${VERSION} — streaming curation stage for ML training text

Usage:
${usage}

${INPUT}

Options (the commands that take each one in brackets; any other command refuses it with exit 2):
${rows.join('\n')}

Run 'synthfilter help COMMAND' for one command's usage and options.

Exit codes:
${exitCodeLines()}
`;
}

/** One command: usage, what it does, its options. */
export function commandHelp(c: CommandSpec): string {
  const flags = [...c.flags, ...GLOBAL_FLAGS];
  return `Usage: synthfilter ${c.usage}

${c.summary}${c.details ? `\n\n${c.details}` : ''}

Options:
${flagHelp(flags)}
`;
}

/** `help [COMMAND]`: a command name may have several words (`help state verify`). */
export async function help(argv: string[], io: CliIO, commands: readonly CommandSpec[]): Promise<number> {
  const { positionals } = parseFlags(argv, 'help', []);
  if (!positionals.length) {
    await writeText(io.stdout, overview(commands));
    return EXIT.ok;
  }
  const name = positionals.join(' ');
  const c = commands.find((x) => x.name === name);
  if (!c) throw usageError(`help: unknown command "${name}" (commands: ${commands.map((x) => x.name).join(', ')})`);
  await writeText(io.stdout, commandHelp(c));
  return EXIT.ok;
}
