// Preloaded with `node --import ./proto-probe.mjs`: at exit, reports on stderr whether anything was written onto
// Object.prototype during the run (new own keys, or a value readable from a plain object).
const before = new Set(Object.getOwnPropertyNames(Object.prototype));
process.on('exit', () => {
  const added = Object.getOwnPropertyNames(Object.prototype).filter((k) => !before.has(k));
  const probe = {};
  const leaked = ['polluted', 'x'].filter((k) => probe[k] !== undefined);
  const bad = [...new Set([...added, ...leaked])];
  process.stderr.write(`\nproto-probe: ${bad.length ? `polluted ${bad.join(',')}` : 'clean'}\n`);
});
