/**
 * Write a text the user asked for (help, version) to stdout and wait until it is written. A closed pipe
 * (`synthfilter --help | head -1`) ends quietly like any run cut short by `| head`; any other failure (a full
 * disk) is E_OUTPUT, exit 4. Never an unhandled 'error' event with a stack trace.
 */
import { outputError } from '../errors.js';

export function writeText(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // stays attached: a stream may report the same failure more than once, and a settled promise ignores repeats
    out.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? resolve() : reject(outputError('stdout', e.message))));
    out.write(text, (e) => {
      if (!e) resolve();
    });
  });
}
