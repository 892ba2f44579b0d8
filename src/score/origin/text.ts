/**
 * Text preparation for the origin detector: shortcut neutralisation (layout, markdown, links, known prefixes,
 * typography), tokenisation, and the cheap "cannot judge" checks (code, not English).
 *
 * Everything here must be the same at training and at run time: the model file records `TEXT_VERSION`, and a
 * model trained with another version is refused.
 */

export const TEXT_VERSION = 1;

// ---------------------------------------------------------------------------------------------------------------
// Cleaning
// ---------------------------------------------------------------------------------------------------------------

const MOJIBAKE: Array<[RegExp, string]> = [
  [/â€™|â€˜/g, "'"],
  [/â€œ|â€\u009d|â€/g, '"'],
  [/â€”|â€“/g, '—'],
  [/Ã\u0082Â|ÃÂ|Â(?=\s)/g, ''],
];
const NON_ASCII = /[^\x00-\x7f]/;
const SQUOTES = /[\u2018\u2019\u201a\u201b\u2032\u00b4`]/g;
const DQUOTES = /[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/g;
const DASHES = /[\u2012\u2013\u2014\u2015\u2212]|--+/g;
const ELLIPSIS = /\u2026/g;
const NBSP = /[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]/g;
const ENTITIES = /&(amp|gt|lt|quot|nbsp|#39|#x27);/g;
const ENTITY_MAP: Record<string, string> = { amp: '&', gt: '>', lt: '<', quot: '"', nbsp: ' ', '#39': "'", '#x27': "'" };

// line-level markdown / layout
const LINE_MARKERS = /^(?:#{1,6}\s+|>+\s?|[-*+•·▪◦]\s+|\(?\d{1,3}[.)]\s+|\(?[a-zA-Z][.)]\s+(?=[A-Z])|step\s+\d+\s*[:.)-]\s*)+/i;
const RULE_LINE = /^[-=*_~#\s]{3,}$/;
const LINE_END_SENTENCE = /[.!?:;,"')\]]$/;

// inline markdown / links
const MD_LINK = /!?\[([^\]\n]{0,300})\]\([^)\s]{0,500}\)/g;
const URL = /\b(?:https?:\/\/|www\.)[^\s)\]>]+/gi;
const URL_PLACEHOLDER = /_URL_\d+_/g;
const MD_EMPH = /(\*\*|__|~~|`+)/g;
const MD_STAR = /(^|[\s(])\*(?=\S)([^*\n]{1,200}?)\*(?=[\s).,;:!?]|$)/g;
const BRACKET_REF = /\[(?:\d+|citation needed|edit)\]/gi;

// leading prefixes that are artefacts of prompting or of dataset formats, not of authorship
const PREFIXES: RegExp[] = [
  /^(?:title|abstract|eli5|summary|question|answer|tl;?\s?dr|q|a|edit|update)\s*[:\-]\s*/i,
  /^(?:sure|certainly|of course|absolutely|okay|ok|great|alright)[,!.]?\s+(?:here(?:'s| is| are)|i(?:'d| would) be (?:happy|glad) to)[^:.!\n]{0,160}[:.!]\s*/i,
  /^here(?:'s| is| are) (?:an?|the|my|some)\b[^:\n]{0,160}:\s*/i,
  /^the abstract for the (?:work|paper) with (?:the )?title\b[^:\n]{0,300}?(?::|\bis\b)\s*/i,
  /^(?:well|oh|ah|wow|hey there|hey|hi there|hi|hello|so|um+|uh+)[,!.]+\s*/i,
];

// detokenisation (corpora that store PTB-style tokens: "you ' re", "do n't", "word ,")
const DETOK_CONTRACTION = /(\w) ?' ?(s|re|ve|ll|d|m|t)\b/gi;
const WS_TO_SQUEEZE = /\s{2,}|[^\S ]/g;
const DETOK: Array<[RegExp, string]> = [
  [DETOK_CONTRACTION, "$1'$2"],
  [/ n't\b/g, "n't"],
  [/ ([,.;:!?%)])/g, '$1'],
  [/([($]) /g, '$1'],
];

/**
 * Neutralise layout, markup and prompt artefacts. Returns one line of text with single spaces.
 * - typography: curly quotes, dash variants, ellipsis, NBSP, common mojibake → one canonical form
 * - line layout: hard wraps and paragraphing are discarded; heading-like lines (short, no sentence punctuation),
 *   horizontal rules and list / quote / heading markers are dropped (only for multi-line texts)
 * - markdown emphasis, links (text kept), bare URLs and `_URL_n_` placeholders, `[1]` references
 * - leading prefixes: `Title:`, `Abstract:`, `ELI5:`, "Sure, here's …:", greeting interjections
 */
export function cleanText(raw: string): string {
  let s = raw;
  if (NON_ASCII.test(s)) {
    for (const [re, to] of MOJIBAKE) s = s.replace(re, to);
    s = s
      .replace(SQUOTES, "'")
      .replace(DQUOTES, '"')
      .replace(ELLIPSIS, '...')
      .replace(NBSP, ' ');
  } else {
    s = s.replace(/`/g, "'");
  }
  s = s.replace(DASHES, ' — ');
  if (s.indexOf('&') >= 0) s = s.replace(ENTITIES, (_m, e: string) => ENTITY_MAP[e] ?? ' ');
  if (s.indexOf('](') >= 0) s = s.replace(MD_LINK, '$1');
  if (s.indexOf('http') >= 0 || s.indexOf('www.') >= 0) s = s.replace(URL, ' ');
  if (s.indexOf('_URL_') >= 0) s = s.replace(URL_PLACEHOLDER, ' ');
  if (s.indexOf('[') >= 0) s = s.replace(BRACKET_REF, '');

  // line-level processing
  const lines = s.split(/\r?\n|\r/).map((l) => l.trim());
  const kept: string[] = [];
  let nonEmpty = 0;
  for (const l of lines) if (l !== '') nonEmpty++;
  for (let li = 0; li < lines.length; li++) {
    let line = lines[li]!;
    if (line === '') continue;
    if (nonEmpty > 1) {
      if (RULE_LINE.test(line)) continue;
      if (LINE_MARKERS.test(line)) line = line.replace(LINE_MARKERS, '');
      // a leading "Title: ..." line is dropped whole
      if (kept.length === 0 && /^title\s*:/i.test(line)) continue;
      // heading-like line: few words, no sentence punctuation at the end, and not a hard-wrapped line of a
      // paragraph (the next line is blank, absent, or starts a new sentence)
      if (!LINE_END_SENTENCE.test(line)) {
        const nw = countWords(line);
        const next = li + 1 < lines.length ? lines[li + 1]! : '';
        const prevBlank = li === 0 || lines[li - 1] === '';
        const c = next.charCodeAt(0);
        const nextStartsLower = (c >= 97 && c <= 122) || c === 40 || c === 44;
        if (nw <= 10 && next === '') continue;
        if (nw <= 6 && prevBlank && !nextStartsLower) continue;
      }
    } else if (LINE_MARKERS.test(line)) {
      line = line.replace(LINE_MARKERS, '');
    }
    kept.push(line);
  }
  s = kept.join(' ');
  if (s.indexOf('*') >= 0 || s.indexOf('_') >= 0 || s.indexOf('~') >= 0 || s.indexOf('`') >= 0) {
    s = s.replace(MD_STAR, '$1$2').replace(MD_EMPH, '');
  }
  // every whitespace run becomes one space: only runs of 2+ and single non-space whitespace change anything, so
  // the lone spaces between words (most matches of /\s+/) are not rebuilt one by one
  s = s.replace(WS_TO_SQUEEZE, ' ').trim();
  for (const [re, to] of DETOK) {
    // the contraction rule only rewrites a match with a space beside its apostrophe; any other match is itself
    if (re === DETOK_CONTRACTION && s.indexOf(" '") < 0 && s.indexOf("' ") < 0) continue;
    s = s.replace(re, to);
  }
  // strip leading prefixes (possibly stacked: "Sure, here's ...: Title: ...")
  for (let k = 0; k < 4; k++) {
    let changed = false;
    for (const re of PREFIXES) {
      const m = re.exec(s);
      if (m && m[0].length > 0 && m[0].length < s.length) {
        s = s.slice(m[0].length);
        changed = true;
      }
    }
    if (!changed) break;
  }
  // an opening '"' or ';' / ',' left by dataset joins
  s = s.replace(/^[;,.\s]+/, '').replace(/\s*[;,]\s*[;,]+/g, ',');
  return s;
}

function countWords(s: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const sp = c === 32 || c === 9;
    if (!sp && !inWord) n++;
    inWord = !sp;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------------------------
// Tokenisation
// ---------------------------------------------------------------------------------------------------------------

export const T_WORD = 0;
export const T_NUM = 1;
export const T_PUNCT = 2;

export interface Tokens {
  /** lower-cased token text (words, numbers, single punctuation marks; "..." is one token) */
  tok: string[];
  type: Uint8Array;
  /** 1 when the word started with an upper-case letter, 2 when it is all caps (len >= 2) */
  caps: Uint8Array;
  /** original character length of the token */
  len: Uint16Array;
  /** number of word/number tokens */
  nWords: number;
}

const isLetterRe = /\p{L}|\p{M}/u;

/** Is the char code `c` at index `i` of `s` part of a word? (the one-char string is built only outside ASCII) */
function isWordChar(c: number, s: string, i: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
  return isLetterRe.test(s[i]!);
}

/** one-char strings of the ASCII range, so a punctuation token does not build a new string */
const ASCII_CHARS: readonly string[] = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));
const PUNCT_RE = /\p{P}/u;

/**
 * Split cleaned text into tokens. Words keep inner apostrophes and hyphens ("don't", "well-known"). Hot path of the
 * detector: per-token attributes go straight into typed arrays (sized for the worst case, one token per char, and
 * trimmed at the end), and a word is lower-cased only when it has a character that could change.
 */
export function tokenize(s: string): Tokens {
  const n = s.length;
  const tok: string[] = [];
  const typ = new Uint8Array(n);
  const caps = new Uint8Array(n);
  const lens = new Uint16Array(n);
  let k = 0;
  let nWords = 0;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    if (isWordChar(c, s, i)) {
      let j = i + 1;
      let digits = c >= 48 && c <= 57 ? 1 : 0;
      let upper = c >= 65 && c <= 90 ? 1 : 0;
      // could lower-casing change the word? (an A-Z or a non-ASCII char anywhere in it)
      let lowerable = (c >= 65 && c <= 90) || c >= 128;
      while (j < n) {
        const d = s.charCodeAt(j);
        if (isWordChar(d, s, j)) {
          if (d >= 48 && d <= 57) digits++;
          else if (d >= 65 && d <= 90) {
            upper++;
            lowerable = true;
          } else if (d >= 128) lowerable = true;
          j++;
          continue;
        }
        // inner apostrophe / hyphen / period-in-number
        if ((d === 39 || d === 45 || (d === 46 && digits > 0) || (d === 44 && digits > 0)) && j + 1 < n) {
          const e = s.charCodeAt(j + 1);
          if (isWordChar(e, s, j + 1) && (d !== 46 && d !== 44 ? true : e >= 48 && e <= 57)) {
            j += 2;
            if (e >= 48 && e <= 57) digits++;
            else if ((e >= 65 && e <= 90) || e >= 128) lowerable = true; // (not counted in `upper`, as before)
            continue;
          }
        }
        break;
      }
      const isNum = digits > 0 && digits * 2 >= j - i;
      if (isNum) tok.push('<num>');
      else {
        const w = s.slice(i, j);
        tok.push(lowerable ? w.toLowerCase() : w);
      }
      typ[k] = isNum ? T_NUM : T_WORD;
      caps[k] = upper === 0 ? 0 : upper >= 2 && upper === j - i ? 2 : c >= 65 && c <= 90 ? 1 : 0;
      lens[k] = Math.min(j - i, 65535);
      k++;
      nWords++;
      i = j;
      continue;
    }
    // punctuation: "..." as one token, other runs one char each
    if (c === 46 && s.charCodeAt(i + 1) === 46) {
      let j = i;
      while (j < n && s.charCodeAt(j) === 46) j++;
      tok.push('...');
      i = j;
    } else if (c < 128) {
      tok.push(ASCII_CHARS[c]!);
      i++;
    } else {
      // surrogate pairs (emoji) as one token
      const cp = s.codePointAt(i)!;
      const w = cp < 0x10000 ? String.fromCharCode(cp) : String.fromCodePoint(cp);
      tok.push(cp > 0x2000 && cp !== 0x2014 && !PUNCT_RE.test(w) ? '<sym>' : w);
      i += w.length;
    }
    typ[k] = T_PUNCT;
    caps[k] = 0;
    lens[k] = 1;
    k++;
  }
  return { tok, type: typ.slice(0, k), caps: caps.slice(0, k), len: lens.slice(0, k), nWords };
}

// ---------------------------------------------------------------------------------------------------------------
// Cannot-judge checks
// ---------------------------------------------------------------------------------------------------------------

/** English function words: used for the not-English check and as the skeleton vocabulary of the features. */
export const FUNCTION_WORDS: readonly string[] = (
  'a about above after again against all also although am an and any are as at be because been before being below ' +
  'between both but by can could did do does doing down during each either enough even ever every few for from ' +
  'further had has have having he her here hers herself him himself his how however i if in into is it its itself ' +
  'just least less like many may me might more most much must my myself neither never no nor not now of off often ' +
  'on once one only or other others otherwise our ours ourselves out over own perhaps quite rather really same ' +
  'several shall she should since so some such than that the their theirs them themselves then there therefore ' +
  'these they this those though through thus to too toward towards under until up upon us very was we were what ' +
  'whatever when where whereas whether which while who whom whose why will with within without would yet you your ' +
  "yours yourself yourselves don't doesn't didn't can't won't isn't aren't wasn't weren't i'm i've i'd i'll " +
  "you're you've it's that's there's they're we're let's"
).split(' ');

const STOP_CORE = new Set(
  'the of and to a in is that it for was on with as be by this are at from or have an not but which they you he'
    .split(' '),
);

/** Heuristic: does the raw text look like source code / markup rather than prose? */
export function looksLikeCode(raw: string): boolean {
  const n = raw.length;
  if (n === 0) return false;
  let sym = 0;
  let letters = 0;
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i);
    // { } ; = < > [ ] | \ _
    if (c === 123 || c === 125 || c === 59 || c === 61 || c === 60 || c === 62 || c === 91 || c === 93 || c === 92 || c === 124 || c === 95) sym++;
    else if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) letters++;
  }
  const symRate = sym / Math.max(1, letters);
  if (symRate <= 0.03) return false;
  if (symRate > 0.15 && n > 40) return true;
  const lines = raw.split('\n');
  let codeLines = 0;
  let nonEmpty = 0;
  const CODE_LINE = /^\s*(?:(?:import|from|export|def|class|function|return|const|let|var|if|for|while|elif|else|try|except|catch|public|private|static|void|int|#include|#define|package|using|fn|impl|SELECT|INSERT|<\/?[a-zA-Z][^>]*>)\b.*|.*[;{}]\s*(?:\/\/.*)?|.*\)\s*:\s*|\s*(?:\/\/|#!|\/\*|\*\/).*)$/;
  for (const l of lines) {
    if (l.trim() === '') continue;
    nonEmpty++;
    if (CODE_LINE.test(l)) codeLines++;
  }
  return nonEmpty >= 3 && codeLines / nonEmpty >= 0.5;
}

/**
 * Cheap English check on cleaned text: share of ASCII letters among letters, and the rate of very common English
 * words among word tokens. Returns false for text that is clearly not English prose.
 */
export function looksEnglish(clean: string, toks: Tokens): boolean {
  let ascii = 0;
  let other = 0;
  const n = Math.min(clean.length, 20000);
  for (let i = 0; i < n; i++) {
    const c = clean.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) ascii++;
    else if (c >= 0xc0 && c !== 0x2014 && /\p{L}/u.test(clean[i]!)) other++;
  }
  if (ascii + other === 0) return false;
  if (ascii / (ascii + other) < 0.85) return false;
  let words = 0;
  let stop = 0;
  for (let i = 0; i < toks.tok.length; i++) {
    if (toks.type[i] !== T_WORD) continue;
    words++;
    if (STOP_CORE.has(toks.tok[i]!)) stop++;
  }
  if (words === 0) return false;
  return stop / words >= 0.08;
}
