/** Command-line options of the tools/origin scripts: `--name value` options and bare `--name` flags. */
const argv = process.argv.slice(2);

/** The value after `--name`; `def` when the option is absent or last on the line. */
export function opt(name: string, def: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1]! : def;
}

/** True when `--name` is on the command line. */
export const flag = (name: string): boolean => argv.includes(`--${name}`);
