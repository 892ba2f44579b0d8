import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonArrayItems, type ArrayReadOptions } from '../../src/io/json-array.js';
import type { InputItem } from '../../src/types.js';

const O: ArrayReadOptions = { maxLineBytes: 1 << 20, maxDepth: 64, rawMaxBytes: 32 };

async function* chunksOf(buf: Buffer, sizes: number[]) {
  let k = 0;
  for (let i = 0; i < buf.length; ) {
    const n = Math.max(1, sizes.length ? sizes[k++ % sizes.length]! : buf.length);
    yield Buffer.from(buf.subarray(i, i + n)); // a fresh buffer per chunk, as the readers give
    i += n;
  }
}

/** Items and the input error (if any) of one array text, cut into chunks of the given sizes. */
async function read(text: string | Buffer, sizes: number[] = [], o: ArrayReadOptions = O): Promise<{ items: InputItem[]; error: Error | null }> {
  const items: InputItem[] = [];
  let error: Error | null = null;
  try {
    for await (const b of jsonArrayItems(chunksOf(Buffer.from(text), sizes), 'f', o)) items.push(...b);
  } catch (e) {
    error = e as Error;
  }
  return { items, error };
}

const kinds = (items: InputItem[]) => items.map((i) => (i.kind === 'record' ? i.record : i.reason));

test('any valid array, cut anywhere, gives its elements in order (objects as records, others not_object)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.jsonValue({ maxDepth: 2 })), { maxLength: 12 }),
      fc.array(fc.integer({ min: 1, max: 17 }), { maxLength: 5 }),
      fc.constantFrom(undefined, 1, '\t'),
      async (arr, sizes, indent) => {
        const text = JSON.stringify(arr, null, indent);
        const { items, error } = await read(text, sizes);
        assert.equal(error, null);
        const want = JSON.parse(text) as unknown[];
        assert.deepEqual(kinds(items), want.map((v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : 'not_object')));
        assert.deepEqual(items.map((i) => i.pos.line), want.map((_, k) => k + 1));
      },
    ),
    { numRuns: 300 },
  );
});

test('an element that does not parse is quarantined with its offset and reading resyncs at the next element', async () => {
  const text = '[{"text":"a"}, {"text": oops}, NaN, {"text":"b"},, {"text":"c"},]';
  for (const sizes of [[], [1], [3, 7]]) {
    const { items, error } = await read(text, sizes);
    assert.equal(error, null);
    assert.deepEqual(kinds(items), [{ text: 'a' }, 'malformed_json', 'malformed_json', { text: 'b' }, 'malformed_json', { text: 'c' }, 'malformed_json']);
    const oops = items[1] as Extract<InputItem, { kind: 'bad' }>;
    assert.equal(oops.pos.offset, text.indexOf('{"text": oops}'));
    assert.equal(oops.raw, '{"text": oops}');
    assert.deepEqual(items.map((i) => i.pos.line), [1, 2, 3, 4, 5, 6, 7]);
  }
});

test('a structural fault keeps every element before it, is quarantined with its offset, then stops with an input error', async () => {
  const good = Array.from({ length: 96 }, (_, i) => JSON.stringify({ text: `good ${i}` }));
  const cases: Array<[string, string, RegExp]> = [
    ['extra closer', `[${good.join(',')}, {"text":"x"}}, {"text":"lost"}]`, /closes nothing/],
    ['wrong closer', `[${good.join(',')}, {"text":["x"}, {"text":"lost"}]`, /closes a "\["/],
    ['after the array', `[${good.join(',')}] {"text":"lost"}`, /after the end of the array/],
    ['cut inside an element', `[${good.join(',')}, {"text":"cut`, /inside element 97 \(in a string\)/],
    ['cut after a comma', `[${good.join(',')},`, /before the array is closed/],
  ];
  for (const [name, text, what] of cases) {
    for (const sizes of [[], [5], [4096]]) {
      const { items, error } = await read(text, sizes);
      const records = items.filter((i) => i.kind === 'record');
      assert.equal(records.length, 96, `${name}: all 96 good elements kept`);
      const last = items[items.length - 1] as Extract<InputItem, { kind: 'bad' }>;
      assert.equal(last.reason, 'malformed_json_array', name);
      assert.match(last.detail, what, name);
      assert.equal(typeof last.pos.offset, 'number');
      assert.equal(last.pos.line, 97);
      assert.ok(error && (error as any).code === 'E_INPUT' && error.message.includes(`byte ${last.pos.offset}`), `${name}: input error with the offset`);
      assert.ok(!items.some((i) => i.kind === 'record' && (i.record as any).text === 'lost'));
    }
  }
});

test('a complete last element is kept when only the closing "]" is missing', async () => {
  const { items, error } = await read('[{"text":"a"}, {"text":"b"}');
  assert.deepEqual(kinds(items), [{ text: 'a' }, { text: 'b' }, 'malformed_json_array']);
  assert.ok(error);
});

test('an element over maxLineBytes is too_large, never buffered whole; one over maxDepth is too_deep', async () => {
  const o = { ...O, maxLineBytes: 100, maxDepth: 5 };
  const big = JSON.stringify({ text: 'x'.repeat(1000), more: ['[{"', '\\'] });
  const deep = '{"a":' + '['.repeat(10) + ']'.repeat(10) + '}';
  const text = `[{"text":"a"}, ${big}, ${deep}, {"text":"b"}]`;
  for (const sizes of [[], [1], [9, 2]]) {
    const { items, error } = await read(text, sizes, o);
    assert.equal(error, null);
    assert.deepEqual(kinds(items), [{ text: 'a' }, 'too_large', 'too_deep', { text: 'b' }]);
    const large = items[1] as Extract<InputItem, { kind: 'bad' }>;
    assert.equal(large.raw, big.slice(0, o.rawMaxBytes));
    assert.equal(large.bytes, big.length);
    assert.equal(large.pos.offset, text.indexOf(big));
    assert.equal((items[2] as any).raw, deep.slice(0, o.rawMaxBytes));
  }
});

test('invalid UTF-8 inside an element is quarantined invalid_utf8; a BOM and an empty array are fine', async () => {
  const bad = Buffer.concat([Buffer.from('[{"text":"'), Buffer.from([0xff]), Buffer.from('"}, {"text":"ok"}]')]);
  assert.deepEqual(kinds((await read(bad)).items), ['invalid_utf8', { text: 'ok' }]);
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(' [ {"text":"a"} ] \n')]);
  assert.deepEqual(kinds((await read(bom, [1])).items), [{ text: 'a' }]);
  assert.deepEqual(await read(' [ ] '), { items: [], error: null });
});
