/**
 * The code's shape limits (issue 17): no source file in src/ over 400 lines, no function in src/stage or src/cli
 * over 80 lines. Prints each violation as `file:line what` and exits 1 if there is any; test/unit/shape.test.ts
 * runs it. Usage: node scripts/check-shape.mjs [ROOT]
 */
import ts from 'typescript';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = process.argv[2] ?? process.cwd();
const FILE_LIMIT = 400;
const FUNCTION_LIMIT = 80;
const FUNCTION_ROOTS = ['src/stage', 'src/cli'];

const tsFiles = (dir) =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });

const problems = [];
for (const file of tsFiles(join(ROOT, 'src'))) {
  const rel = relative(ROOT, file);
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > FILE_LIMIT) problems.push(`${rel}:1 file of ${lines} lines (limit ${FILE_LIMIT})`);
  if (!FUNCTION_ROOTS.some((r) => rel.startsWith(r + '/'))) continue;
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (n) => {
    if (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isConstructorDeclaration(n)) {
      const a = src.getLineAndCharacterOfPosition(n.getStart()).line + 1;
      const b = src.getLineAndCharacterOfPosition(n.getEnd()).line + 1;
      if (b - a + 1 > FUNCTION_LIMIT) problems.push(`${rel}:${a} function ${n.name ? n.name.getText() : '(anonymous)'} of ${b - a + 1} lines (limit ${FUNCTION_LIMIT})`);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
}
for (const p of problems) console.log(p);
process.exitCode = problems.length ? 1 : 0;
