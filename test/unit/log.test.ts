import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, formatLine, stableJson } from '../../src/cli/log.js';

const sink = () => {
  const lines: string[] = [];
  const stream = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
  return { lines, stream };
};

test('JSON lines: sorted keys, level, message, fields and an ISO timestamp, one line per message', () => {
  const at = new Date('2026-12-04T00:00:00.000Z');
  assert.equal(formatLine('info', 'done', { phases: { b: 2, a: 1 }, run: 'r1' }, true, at), '{"level":"info","message":"done","phases":{"a":1,"b":2},"run":"r1","timestamp":"2026-12-04T00:00:00.000Z"}\n');
  // a field named like a reserved key does not replace the level or the message
  assert.equal(JSON.parse(formatLine('error', 'm', { level: 'x', message: 'y' }, true, at)).level, 'error');
  assert.equal(formatLine('warn', 'careful', undefined, false), 'synthfilter: warn: careful\n');
  assert.equal(formatLine('info', 'hello', { x: 1 }, false), 'synthfilter: hello\n');
  assert.equal(stableJson({ z: [{ b: 1, a: 2 }], a: null }), '{"a":null,"z":[{"a":2,"b":1}]}');
});

test('quiet keeps errors only; every line goes to the given stream', () => {
  const s = sink();
  const log = createLogger({ quiet: true, json: true, stderr: s.stream });
  log.info('no');
  log.warn('no');
  log.error('yes', { file: 'a' });
  assert.equal(s.lines.length, 1);
  assert.deepEqual(Object.keys(JSON.parse(s.lines[0]!)), ['file', 'level', 'message', 'timestamp']);
  const t = sink();
  const loud = createLogger({ json: false, stderr: t.stream });
  loud.info('a');
  loud.warn('b');
  assert.deepEqual(t.lines, ['synthfilter: a\n', 'synthfilter: warn: b\n']);
});
