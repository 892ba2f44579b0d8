/** The two files derived from the schema: the defaults (config/default.json) and the JSON Schema for editors. */
import { z } from 'zod';
import { ConfigSchema } from './schema.js';
import { defaults } from './index.js';

export const defaultsJson = (): string => JSON.stringify(defaults(), null, 2) + '\n';

/** JSON Schema of what a user may write (every key optional, defaults shown), for `$schema` in config files. */
export function schemaJson(): string {
  const s = z.toJSONSchema(ConfigSchema, { io: 'input' }) as Record<string, unknown>;
  return JSON.stringify({ ...s, $id: 'https://synthfilter.dev/config.schema.json', title: 'synthfilter configuration' }, null, 2) + '\n';
}
