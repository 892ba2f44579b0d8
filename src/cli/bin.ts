#!/usr/bin/env node
import { main, EXIT } from './main.js';

main({ argv: process.argv.slice(2), stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }).then(
  (code) => {
    // exitCode, not process.exit(): let stdout and files flush
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`synthfilter: internal error: ${(e as Error).stack ?? e}\n`);
    process.exitCode = EXIT.internal;
  },
);
