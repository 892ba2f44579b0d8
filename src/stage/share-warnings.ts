/**
 * Warnings about a run's synthetic share (issue 18, docs/synthetic-share-output.md "Warnings"): written to
 * `manifest.warnings` as `{code, message}` and logged on stderr. The codes are a public contract.
 *
 *   synthetic_share_above_cap  the accepted estimate's whole interval lies above route.maxSyntheticShare
 *   undeclared_majority        more than half of the input records carry no declared provenance
 *   detector_abstained         the detector did not score at least ABSTAINED_WARN_SHARE of the undeclared records
 *                              (too short, not English, code); a detector switched off by config does not count
 *   synthetic_share_rising     clean: tonight's input estimate low > the mean high of up to RISING_WINDOW earlier
 *                              nights with an estimate
 */
import type { ShareReport, ShareEstimate, ShareTracker } from './share.js';

export interface RunWarning {
  code: string;
  message: string;
}

export const WARNING_CODES = {
  aboveCap: 'synthetic_share_above_cap',
  undeclaredMajority: 'undeclared_majority',
  detectorAbstained: 'detector_abstained',
  rising: 'synthetic_share_rising',
} as const;

/** Share of the undeclared records the detector did not score at which `detector_abstained` fires. */
export const ABSTAINED_WARN_SHARE = 0.25;
/** Earlier nights `synthetic_share_rising` compares against (the most recent ones with an estimate). */
export const RISING_WINDOW = 7;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const iv = (e: ShareEstimate) => `${e.value.toFixed(2)} [${e.low.toFixed(2)}, ${e.high.toFixed(2)}]`;

/** Warnings about one run's share (all but `synthetic_share_rising`). */
export function shareWarnings(t: ShareTracker, r: ShareReport, maxSyntheticShare: number): RunWarning[] {
  const out: RunWarning[] = [];
  const e = r.estimate;
  if (!e) return out;
  if (e.accepted && e.accepted.low > maxSyntheticShare) {
    out.push({
      code: WARNING_CODES.aboveCap,
      message: `estimated synthetic share of the accepted records ${iv(e.accepted)} lies above route.maxSyntheticShare=${maxSyntheticShare}: the cap counts labels, and most machine text carries none (see route.capBasis)`,
    });
  }
  if (t.records > 0 && t.undeclared * 2 > t.records) {
    out.push({
      code: WARNING_CODES.undeclaredMajority,
      message: `${t.undeclared} of ${t.records} records (${pct(t.undeclared / t.records)}) carry no declared provenance: their share is estimated from detector scores`,
    });
  }
  let abstained = 0;
  const reasons: string[] = [];
  for (const [why, n] of Object.entries(t.abstained).sort((a, b) => b[1] - a[1])) {
    if (why === 'disabled') continue;
    abstained += n;
    reasons.push(`${why} ${n}`);
  }
  if (t.undeclared > 0 && abstained >= ABSTAINED_WARN_SHARE * t.undeclared) {
    out.push({
      code: WARNING_CODES.detectorAbstained,
      message: `the detector could not score ${abstained} of ${t.undeclared} undeclared records (${pct(abstained / t.undeclared)}: ${reasons.join(', ')}): the interval is wide because they may be anything`,
    });
  }
  return out;
}

/** `synthetic_share_rising`: tonight's input estimate against earlier nights' (oldest first); null when not rising. */
export function risingWarning(tonight: ShareEstimate | null, earlier: Array<ShareEstimate | null | undefined>): RunWarning | null {
  if (!tonight) return null;
  const prev = earlier.filter((x): x is ShareEstimate => !!x).slice(-RISING_WINDOW);
  if (!prev.length) return null;
  const meanHigh = prev.reduce((a, x) => a + x.high, 0) / prev.length;
  if (!(tonight.low > meanHigh)) return null;
  return {
    code: WARNING_CODES.rising,
    message: `estimated synthetic share of tonight's input ${iv(tonight)} rose above the last ${prev.length} night(s) (mean upper bound ${meanHigh.toFixed(2)})`,
  };
}
