/**
 * `synthfilter config --schema`: the JSON Schema of the configuration (for editors: reference it with `"$schema"`
 * in a config file). `synthfilter config --print [-c FILE] [--set K=V ...]`: the effective merged configuration.
 * Both write JSON to stdout.
 */
import { parseArgs } from 'node:util';
import { configSchema, loadConfigFile, resolveConfig, setPath } from '../../config/index.js';
import { SynthfilterError } from '../../errors.js';
import type { CliIO } from '../main.js';

export const CONFIG_HELP = `Usage:
  synthfilter config --schema                          JSON Schema of the configuration, to stdout
  synthfilter config --print [-c FILE] [--set K=V ...] the effective configuration (defaults + FILE + --set), to stdout`;

function parseValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

export async function configCommand(argv: string[], io: CliIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { schema: { type: 'boolean' }, print: { type: 'boolean' }, config: { type: 'string', short: 'c' }, set: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' }, quiet: { type: 'boolean', short: 'q' }, 'json-logs': { type: 'boolean' }, debug: { type: 'boolean' } },
    }));
  } catch (e) {
    io.stderr.write(`synthfilter config: ${(e as Error).message}\n${CONFIG_HELP}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(CONFIG_HELP + '\n');
    return 0;
  }
  if (values.schema === values.print) {
    io.stderr.write(`synthfilter config: give exactly one of --schema or --print\n${CONFIG_HELP}\n`);
    return 2;
  }
  if (values.schema) {
    io.stdout.write(JSON.stringify(configSchema(), null, 2) + '\n');
    return 0;
  }
  try {
    const flags: Record<string, unknown> = {};
    for (const kv of values.set ?? []) {
      const i = kv.indexOf('=');
      if (i <= 0) throw new SynthfilterError('E_USAGE', `--set expects KEY=VALUE, got "${kv}"`);
      setPath(flags, kv.slice(0, i), parseValue(kv.slice(i + 1)));
    }
    const cfg = resolveConfig(values.config ? loadConfigFile(values.config) : undefined, flags);
    io.stdout.write(JSON.stringify(cfg, null, 2) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof SynthfilterError) {
      io.stderr.write(`synthfilter config: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
