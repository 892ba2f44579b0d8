/**
 * The CLI's signal handling for long runs (docs/security.md "Signals"): the first SIGTERM/SIGINT aborts the returned
 * controller so the run stops cleanly (exit 143/130); a second one exits at once. `release` removes the handlers.
 */
import { EXIT } from './exit-codes.js';

export function stopOnSignals(): { stopper: AbortController; release: () => void } {
  const stopper = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopper.signal.aborted) process.exit(sig === 'SIGINT' ? EXIT.sigint : EXIT.sigterm);
    stopper.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stopper,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
