/**
 * Tokenizer special cases: whole whitespace-delimited strings (or affix-stripped cores) that a spaCy blank
 * English tokenizer splits in a fixed way. The table is generated here from short word lists; it covers the
 * contractions, abbreviations and emoticons that occur in ordinary text, not every entry spaCy has (see the
 * module comment of tokenize.ts for the known differences).
 */

const table = new Map<string, readonly string[]>();

function add(orth: string, pieces: readonly string[]): void {
  table.set(orth, pieces);
  // spaCy also registers every apostrophe entry with the typographic apostrophe U+2019
  if (orth.includes("'")) {
    table.set(
      orth.replaceAll("'", '\u2019'),
      pieces.map((p) => p.replaceAll("'", '\u2019')),
    );
  }
}

function titled(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** both "word" and "Word" spellings */
function bothCases(w: string, fn: (form: string) => void): void {
  fn(w);
  const t = titled(w);
  if (t !== w) fn(t);
}

// Pronoun and wh-word contractions: base + clitic(s); the apostrophe-less spellings split the same way.
const CLITIC_SETS: Array<[string[], string[][]]> = [
  [['i'], [["'m"], ["'ma"]]],
  [
    ['i', 'you', 'he', 'she', 'it', 'we', 'they', 'who', 'what', 'when', 'where', 'why', 'how', 'there', 'that'],
    [["'ll"], ["'ll", "'ve"], ["'d"], ["'d", "'ve"]],
  ],
  [['i', 'you', 'we', 'they', 'who', 'what', 'when', 'where', 'why', 'how', 'there', 'that'], [["'ve"]]],
  [['you', 'we', 'they', 'who', 'what', 'when', 'where', 'why', 'how', 'there', 'that'], [["'re"]]],
  [['he', 'she', 'it', 'who', 'what', 'when', 'where', 'why', 'how', 'there', 'that'], [["'s"]]],
];
for (const [bases, cliticLists] of CLITIC_SETS) {
  for (const base of bases) {
    for (const clitics of cliticLists) {
      bothCases(base, (b) => {
        if (clitics[0] === "'ma") {
          add(b + "'ma", [b, "'m", 'a']);
          add(b + 'ma', [b, 'm', 'a']);
          return;
        }
        add(b + clitics.join(''), [b, ...clitics]);
        const bare = clitics.map((c) => c.slice(1));
        add(b + bare.join(''), [b, ...bare]);
      });
    }
  }
}

// Negations: verb + n't (and "nt", and "n't've" for the first group).
const NEG_FULL = ['ca', 'could', 'do', 'does', 'did', 'had', 'may', 'might', 'must', 'need', 'ought', 'sha', 'should', 'wo', 'would'];
const NEG_SHORT = ['ai', 'are', 'is', 'was', 'were', 'have', 'has', 'dare'];
for (const v of NEG_FULL) {
  bothCases(v, (b) => {
    add(b + "n't", [b, "n't"]);
    add(b + 'nt', [b, 'nt']);
    add(b + "n't've", [b, "n't", "'ve"]);
    add(b + 'ntve', [b, 'nt', 've']);
  });
}
for (const v of NEG_SHORT) {
  bothCases(v, (b) => {
    add(b + "n't", [b, "n't"]);
    add(b + 'nt', [b, 'nt']);
  });
}
for (const v of ['could', 'might', 'must', 'should', 'would']) {
  bothCases(v, (b) => {
    add(b + "'ve", [b, "'ve"]);
    add(b + 've', [b, 've']);
  });
}

// Single-token forms with apostrophes (kept whole).
for (const w of ['doin', 'goin', 'nothin', 'nuthin', 'ol', 'somethin', 'lovin', 'havin']) {
  bothCases(w, (b) => {
    add(b, [b]);
    add(b + "'", [b + "'"]);
  });
}
for (const w of ['cause', 'em', 'll', 'nuff']) {
  add(w, [w]);
  add("'" + w, ["'" + w]);
}
for (const w of [
  "'s", "'S", '\u2018s', '\u2018S', 'and/or', 'w/o', "'re", "'d", "'Cause", "'cos", "'Cos", "'coz", "'Coz", "'cuz",
  "'Cuz", "'bout", "ma'am", "Ma'am", "o'clock", "O'clock", "'", "''", 'C++',
]) {
  add(w, [w]);
}

// Times: "5pm" -> "5", "pm".
for (let h = 1; h <= 12; h++) {
  for (const p of ['a.m.', 'am', 'p.m.', 'pm']) add(`${h}${p}`, [String(h), p]);
}

// Other multi-piece forms.
add("y'all", ["y'", 'all']);
add('yall', ['y', 'all']);
add('cannot', ['can', 'not']);
add('Cannot', ['Can', 'not']);
add('gonna', ['gon', 'na']);
add('Gonna', ['Gon', 'na']);
add('gotta', ['got', 'ta']);
add('Gotta', ['Got', 'ta']);
add("let's", ['let', "'s"]);
add("Let's", ['Let', "'s"]);
add("not've", ['not', "'ve"]);
add('notve', ['not', 've']);

// Abbreviations that keep their final period.
for (const w of (
  'a.m. p.m. Adm. Bros. co. Co. Corp. D.C. Dr. e.g. E.g. E.G. Gen. Gov. i.e. I.e. I.E. Inc. Jr. Ltd. Md. ' +
  'Messrs. Mo. Mont. Mr. Mrs. Ms. Ph.D. Rep. Rev. Sen. St. vs. Mt. Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. ' +
  'Sept. Oct. Nov. Dec. Ala. Ariz. Ark. Calif. Colo. Conn. Del. Fla. Ga. Ia. Id. Ill. Ind. Kan. Kans. Ky. La. ' +
  'Mass. Mich. Minn. Miss. N.C. N.D. N.H. N.J. N.M. N.Y. Neb. Nebr. Nev. Okla. Ore. Pa. S.C. Tenn. Va. Wash. Wis.'
).split(' ')) {
  add(w, [w]);
}
// single letters with a period
for (const ch of 'abcdefghijklmnopqrstuvwxyz\u00e4\u00f6\u00fc') add(ch + '.', [ch + '.']);

// Common emoticons.
for (const e of (
  ":) :-) :)) :-)) (: (-: =) (= :] :-] [: :o) (o: 8) 8-) ;) ;-) (; :( :-( :(( ): )-: =( >:( :') :'( :/ :-/ =/ " +
  ':| :-| :P :-P :p :-p :O :-O :o :-o :0 :* :-* :3 :> :X :x :D :-D ;D =D xD XD 8D ^_^ ^__^ >.< >.> <.< ._. ;_; ' +
  '-_- -__- v.v V.V v_v o_o o_O O_o O_O o.O O.o O.O o.o 0.0 @_@ <3 <33 <333 </3 (^_^) (-_-) (._.) (>_<) (*_*) ' +
  '\u00af\\(\u30c4)/\u00af'
).split(' ')) {
  add(e, [e]);
}

// spaCy removes these because they are ordinary words.
for (const w of ['Ill', 'ill', 'Its', 'its', 'Hell', 'hell', 'Shell', 'shell', 'Shed', 'shed', 'were', 'Were', 'Well', 'well', 'Whore', 'whore']) {
  table.delete(w);
}

/** special-case table: orth -> pieces */
export const SPECIALS: ReadonlyMap<string, readonly string[]> = table;

/** longest special-case key, in UTF-16 units: longer strings skip the lookup */
export const SPECIAL_MAX_LEN = Math.max(...[...table.keys()].map((k) => k.length));

/**
 * First filter: (first UTF-16 unit & 0x3ff, length) pairs of the keys, as bits of a table. Most words ("the",
 * "and", ...) share no (first character, length) pair with a special case and skip the hash.
 */
export const SPECIAL_FIRST_LEN = new Uint8Array(1024 * 16);
for (const k of table.keys()) SPECIAL_FIRST_LEN[((k.charCodeAt(0) & 0x3ff) << 4) | Math.min(k.length, 15)] = 1;

/** cheap filter: 31-bit hash of every key (see `spanHash`) */
export const SPECIAL_HASHES = new Set<number>([...table.keys()].map((k) => spanHash(k, 0, k.length)));

export function spanHash(s: string, a: number, b: number): number {
  let h = 0x811c9dc5 ^ (b - a);
  for (let i = a; i < b; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h & 0x7fffffff;
}
