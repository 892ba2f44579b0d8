/** `synthfilter -V` / `--version` (and `-v`, kept from earlier releases): the version on stdout. */
import { VERSION } from '../../version.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../main.js';
import { writeText } from '../write-text.js';

export async function version(_argv: string[], io: CliIO): Promise<number> {
  await writeText(io.stdout, `${VERSION}\n`);
  return EXIT.ok;
}
