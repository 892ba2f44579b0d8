// Runtime dependencies = what dist imports. Lists the bare imports of dist/**/*.js (static, dynamic and require()
// calls, found by TypeScript's import scanner) and compares their packages with package.json's `dependencies`,
// `optionalDependencies` and `peerDependencies` (an optional peer such as `redis` is imported lazily by the one
// feature that needs it). Exits 1 naming every package imported but not declared, or declared but never imported.
// Usage: node scripts/check-deps.mjs [--json] [--root DIR]   (DIR: the package folder, default this repository; run
// `npm run build` first; test/unit/check-deps.test.ts runs it)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const rootArg = process.argv.indexOf('--root');
const root = rootArg > 0 ? process.argv[rootArg + 1] : fileURLToPath(new URL('..', import.meta.url));
const ts = createRequire(import.meta.url)('typescript');
const dist = join(root, 'dist');

function jsFiles(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? jsFiles(p) : p.endsWith('.js') ? [p] : [];
  });
}

/** 'stream-json/streamers/x.js' -> 'stream-json'; '@scope/pkg/sub' -> '@scope/pkg'; relative/builtin -> null. */
function packageOf(spec) {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) return null;
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtinModules.includes(name) ? null : name;
}

let files;
try {
  files = jsFiles(dist);
} catch {
  console.error('check-deps: no dist/ folder: run `npm run build` first');
  process.exit(2);
}
/** package -> files importing it */
const imported = new Map();
for (const f of files) {
  const info = ts.preProcessFile(readFileSync(f, 'utf8'), true, true);
  for (const { fileName } of info.importedFiles) {
    const pkg = packageOf(fileName);
    if (!pkg) continue;
    if (!imported.has(pkg)) imported.set(pkg, []);
    imported.get(pkg).push(relative(root, f));
  }
}
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const declared = new Set(['dependencies', 'optionalDependencies', 'peerDependencies'].flatMap((k) => Object.keys(manifest[k] ?? {})));
const undeclared = [...imported.keys()].filter((p) => !declared.has(p)).sort();
const unused = [...declared].filter((p) => !imported.has(p)).sort();

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ imported: Object.fromEntries([...imported].sort()), undeclared, unused }, null, 2));
} else {
  for (const [p, by] of [...imported].sort()) console.error(`check-deps: ${p} <- ${[...new Set(by)].join(', ')}`);
}
for (const p of undeclared) console.error(`check-deps: dist imports ${p} (${imported.get(p)[0]}), but package.json does not list it in dependencies`);
for (const p of unused) console.error(`check-deps: package.json dependencies list ${p}, but dist never imports it: move it to devDependencies or remove it`);
process.exit(undeclared.length || unused.length ? 1 : 0);
