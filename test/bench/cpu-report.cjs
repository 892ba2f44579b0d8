// Preloaded into benchmark worker processes (NODE_OPTIONS=--require): reports the process's CPU time at exit.
process.on('exit', () => {
  const u = process.cpuUsage();
  process.stderr.write(`\nSF_BENCH_CPU ${u.user} ${u.system}\n`);
});
