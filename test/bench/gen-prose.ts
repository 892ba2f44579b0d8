/**
 * Generated prose-like corpus for the nightly benchmarks (clean.ts, scale.ts): sentences built from a Zipf-ish
 * vocabulary, so the diversity and origin scorers do real work; ~1 KB per record, one record in 20 a planted
 * near-duplicate, a quarter declared synthetic (`meta.source: "gpt-4"`). Seeded: the same files on every machine.
 * Files are named part-NNNN.jsonl from `offset`, so later nights add new files next to earlier ones.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const WORDS = `the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their has would when if so no out up said what its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people river garden winter kitchen letter harbour village station morning window market bridge school doctor teacher engine summer evening mountain island forest museum library chapel meadow orchard cottage`.split(/\s+/);
export function generateProse(dir: string, files: number, offset: number, perFile: number): void {
  mkdirSync(dir, { recursive: true });
  let s = 99 + offset;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let f = 0; f < files; f++) {
    const rows: string[] = [];
    for (let i = 0; i < perFile; i++) {
      const sents: string[] = [];
      let len = 0;
      while (len < 900) {
        const n = 8 + Math.floor(rnd() * 18);
        const w: string[] = [];
        for (let k = 0; k < n; k++) w.push(WORDS[Math.floor(rnd() ** 2.2 * WORDS.length)]!);
        const sent = w.join(' ');
        sents.push(sent[0]!.toUpperCase() + sent.slice(1) + (rnd() < 0.1 ? '?' : '.'));
        len += sent.length + 2;
      }
      let text = sents.join(' ');
      if (i % 20 === 7 && rows.length) text = JSON.parse(rows[rows.length - 3] ?? rows[0]!).text + ' Thanks for reading.'; // near-duplicate
      rows.push(JSON.stringify({ id: `n${offset}-f${f}-${i}`, text, meta: { source: i % 4 === 0 ? 'gpt-4' : 'human' } }));
    }
    writeFileSync(join(dir, `part-${String(f + offset).padStart(4, '0')}.jsonl`), rows.join('\n') + '\n');
  }
}
