/**
 * The configuration a command runs with: config/default.json, then `--config FILE`, then the flags that set config
 * keys (`--text-field`, `--id-field`, `--format`, `--annotate`, `--memory`, each `--set KEY=VALUE` in order). Every key is
 * checked on the way in (reserved segments such as `__proto__` are E_CONFIG errors naming the key).
 */
import { loadConfigFile, resolveConfig, setPath, type Config } from '../config/index.js';
import { usageError } from '../errors.js';
import type { FlagValues } from './flags.js';

/** A `--set` value is JSON when it parses as JSON, else the string itself (`--set input.format=jsonl`). */
function parseValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

export function buildConfig(values: FlagValues): Config {
  const overrides: unknown[] = [];
  if (typeof values.config === 'string') overrides.push(loadConfigFile(values.config));
  const flags: Record<string, unknown> = {};
  if (typeof values['text-field'] === 'string') setPath(flags, 'input.textField', values['text-field']);
  if (typeof values['id-field'] === 'string') setPath(flags, 'input.idField', values['id-field']);
  if (typeof values.format === 'string') setPath(flags, 'input.format', values.format);
  if (values.annotate === true) setPath(flags, 'output.annotate', true);
  if (typeof values.memory === 'string') setPath(flags, 'dedup.memory', values.memory);
  for (const kv of (values.set as string[] | undefined) ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw usageError(`--set expects KEY=VALUE, got "${kv}"`);
    setPath(flags, kv.slice(0, i), parseValue(kv.slice(i + 1)));
  }
  overrides.push(flags);
  return resolveConfig(...overrides);
}
