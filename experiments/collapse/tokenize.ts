/**
 * Word-level tokenisation for the toy language model: NFKC, lower case, numbers with inner separators (3.5, 1,000),
 * words (letters/digits with inner apostrophes) and single punctuation characters. `detokenize` glues punctuation
 * back so that the samples look like ordinary text to synthfilter, and re-tokenising a sample gives back its tokens.
 */

const TOKEN_RE = /\p{N}+(?:[.,:]\p{N}+)+|[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu;

export function tokenize(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().replace(/’/g, "'").match(TOKEN_RE) ?? [];
}

const NO_SPACE_BEFORE = new Set(['.', ',', '!', '?', ';', ':', '%', ')', ']', '}', '-', '/']);
// hyphens and slashes glue both ways ("high-resolution", "8-12", "and/or"): spaced, each would count as a
// non-alphabetic word for the quality rules, which the original text did not have
const NO_SPACE_AFTER = new Set(['(', '[', '{', '$', '#', '@', '-', '/']);

export function detokenize(tokens: readonly string[]): string {
  let out = '';
  let prev = '';
  for (const t of tokens) {
    if (out !== '' && !NO_SPACE_BEFORE.has(t) && !NO_SPACE_AFTER.has(prev)) out += ' ';
    out += t;
    prev = t;
  }
  return out;
}

/** Reserved ids. `<s>` is only ever a context, never predicted; `<unk>` stands for types outside the vocabulary. */
export const BOS = 0;
export const EOS = 1;
export const UNK = 2;

/**
 * A fixed vocabulary shared by every model of one experiment run (every condition, every generation), so that
 * probabilities, the unknown-word floor and perplexities are over the same event space.
 */
export class Vocab {
  readonly words: string[] = ['<s>', '</s>', '<unk>'];
  private readonly index = new Map<string, number>([
    ['<s>', BOS],
    ['</s>', EOS],
    ['<unk>', UNK],
  ]);
  private frozen = false;

  get size(): number {
    return this.words.length;
  }

  /** Number of predictable outcomes (every id except `<s>`). */
  get outcomes(): number {
    return this.words.length - 1;
  }

  add(word: string): number {
    let id = this.index.get(word);
    if (id === undefined) {
      if (this.frozen) return UNK;
      id = this.words.length;
      this.words.push(word);
      this.index.set(word, id);
    }
    return id;
  }

  /** After freezing, unknown words map to `<unk>`. */
  freeze(): this {
    this.frozen = true;
    return this;
  }

  id(word: string): number {
    return this.index.get(word) ?? UNK;
  }

  encode(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) out[i] = this.add(tokens[i]!);
    return out;
  }

  decode(ids: ArrayLike<number>): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) out.push(this.words[ids[i]!] ?? '<unk>');
    return out;
  }
}
