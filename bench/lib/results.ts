// The shape of one benchmark row: its samples, their summary, and the goal it is judged against
// (if any). A row with a goal is PASS or MISS from the measured numbers only; nothing is adjusted.
import { round, summarize, type Summary } from './stats.ts';

export type Unit = 'ms' | 'MB' | '%' | 'x' | 'count';

/** Which summary value a goal is judged on. */
export type Judged = 'median' | 'p90' | 'p99' | 'max';

export interface Goal {
  /** As the table prints it, e.g. "median ≤ 10 ms". */
  text: string;
  on: Judged;
  limit: number;
  /** "< limit" instead of "≤ limit". */
  strict?: boolean;
}

export interface Metric {
  key: string;
  label: string;
  unit: Unit;
  samples: number[];
  summary: Summary;
  goal?: Goal;
  /** Undefined when the row has no goal. */
  pass?: boolean;
  /** Whether the × raw column applies (time rows). */
  ratio: boolean;
  note?: string;
}

export function metric(o: { key: string; label: string; unit: Unit; samples: number[]; goal?: Goal; note?: string }): Metric {
  const summary = summarize(o.samples);
  const rounded: Summary = {
    n: summary.n, min: round(summary.min), median: round(summary.median), p90: round(summary.p90), p99: round(summary.p99), max: round(summary.max),
  };
  return {
    key: o.key,
    label: o.label,
    unit: o.unit,
    samples: o.samples.map((v) => round(v, 3)),
    summary: rounded,
    ratio: o.unit === 'ms',
    ...(o.goal ? { goal: o.goal, pass: summary.n > 0 && (o.goal.strict ? summary[o.goal.on] < o.goal.limit : summary[o.goal.on] <= o.goal.limit) } : {}),
    ...(o.note ? { note: o.note } : {}),
  };
}

export const atMost = (on: Judged, limit: number, unit: string, text?: string): Goal => ({
  on, limit, text: text ?? `${on} ≤ ${limit} ${unit}`,
});

export const below = (on: Judged, limit: number, unit: string, text?: string): Goal => ({
  on, limit, strict: true, text: text ?? `${on} < ${limit} ${unit}`,
});
