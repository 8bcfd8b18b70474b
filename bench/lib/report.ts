// Writes a run's results: `<timestamp>.json` (every sample, the machine, the commit),
// `<timestamp>.md` (the table) and, for a complete full run, `latest.md` (the committed copy).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineInfo } from './machine.ts';
import type { Metric, Unit } from './results.ts';

export interface RunReport {
  runId: string;
  mode: 'full' | 'quick' | 'rss only' | 'quick, rss only';
  startedAt: string;
  durationSec: number;
  machine: MachineInfo;
  loadAvgEnd: number;
  rawCreateStartMedianMs: number;
  settings: Record<string, unknown>;
  sections: Array<{ title: string; metrics: Metric[] }>;
  notes: string[];
  /** Everything the phases returned, for later analysis. */
  details: Record<string, unknown>;
}

function fmt(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return '—';
  switch (unit) {
    case 'ms': return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(1);
    case 'MB': return value.toFixed(1);
    case '%': return value.toFixed(3);
    case 'x': return `${value.toFixed(2)}×`;
    case 'count': return value.toFixed(0);
    default: return String(value);
  }
}

function row(m: Metric, rawMedian: number): string {
  const s = m.summary;
  const unit = m.unit === 'x' || m.unit === 'count' ? '' : ` ${m.unit}`;
  const ratio = m.ratio && rawMedian > 0 && s.n > 0 ? `${(s.median / rawMedian).toFixed(3)}×` : '';
  const result = m.goal ? (m.pass ? 'PASS' : '**MISS**') : '';
  const cells = [s.min, s.median, s.p90, s.p99, s.max].map((v) => fmt(v, m.unit));
  return `| ${m.label}${unit ? ` (${unit.trim()})` : ''} | ${s.n} | ${cells.join(' | ')} | ${ratio} | ${m.goal?.text ?? ''} | ${result} |`;
}

export function renderMarkdown(r: RunReport): string {
  const m = r.machine;
  const lines = [
    `# Dockhand benchmarks — ${r.startedAt} (${r.mode}, ${Math.round(r.durationSec)} s)`,
    '',
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, kernel ${m.kernel}; Docker ${m.docker.version} ` +
      `(API ${m.docker.apiVersion}, ${m.docker.storageDriver}, ${m.docker.cgroupDriver}, cgroup v${m.docker.cgroupVersion}); Node ${m.node}; ` +
      `commit ${m.git.commit.slice(0, 12)}${m.git.dirty ? ' with uncommitted changes' : ''}. ` +
      `Load average ${m.loadAvgStart.toFixed(2)} at the start, ${r.loadAvgEnd.toFixed(2)} at the end; ` +
      `${m.foreignContainersStart} other running containers on the engine at the start.`,
    '',
    (Number.isFinite(r.rawCreateStartMedianMs)
      ? `×raw: the row's median ÷ Docker's own create+start median measured in this run (${r.rawCreateStartMedianMs.toFixed(1)} ms). `
      : '') + // --only rss times nothing against Docker
      'Percentiles are nearest-rank; a goal is judged on the statistic its column names.',
    '',
    '| Metric | n | min | median | p90 | p99 | max | ×raw | Goal | Result |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const section of r.sections) {
    lines.push(`| **${section.title}** | | | | | | | | | |`);
    for (const metric of section.metrics) lines.push(row(metric, r.rawCreateStartMedianMs));
  }
  const goals = r.sections.flatMap((s) => s.metrics).filter((x) => x.goal);
  lines.push('', `Goals met: ${goals.filter((g) => g.pass).length} of ${goals.length}.`, '');
  for (const note of r.notes) lines.push(`- ${note}`);
  return `${lines.join('\n')}\n`;
}

/** `latest`: also replace latest.md (only complete full runs should). */
export function writeReport(r: RunReport, dir: string, o: { latest: boolean }): { json: string; md: string; latest?: string } {
  const stamp = r.startedAt.replace(/[:.]/g, '-');
  const json = join(dir, `${stamp}.json`);
  const md = join(dir, `${stamp}.md`);
  const markdown = renderMarkdown(r);
  writeFileSync(json, `${JSON.stringify({ ...r, markdown }, null, 2)}\n`);
  writeFileSync(md, markdown);
  if (!o.latest) return { json, md };
  const latest = join(dir, 'latest.md');
  writeFileSync(latest, markdown);
  return { json, md, latest };
}
