// A process's memory and CPU as the kernel accounts them (/proc), so what is measured is the
// agent's or control plane's own footprint, not what it thinks it uses.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times (100 on every Linux we run on, but ask). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface MemoryUsage {
  /** Resident set size, bytes. */
  rss: number;
  /** Peak resident set size so far, bytes. */
  hwm: number;
}

export function memoryOf(pid: number): MemoryUsage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kib('VmRSS') * 1024, hwm: kib('VmHWM') * 1024 };
}

/** User + system CPU time the process has used, in milliseconds. */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after its closing paren are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLK_TCK;
}

export interface UsageWindow {
  seconds: number;
  cpuMs: number;
  /** CPU as a percentage of one core over the window. */
  cpuPercent: number;
  rssSamples: number[];
}

/** Samples RSS every `everyMs` for `seconds` and the CPU used over the same window. */
export async function watchUsage(pid: number, seconds: number, everyMs = 1000): Promise<UsageWindow> {
  const cpu0 = cpuMsOf(pid);
  const t0 = performance.now();
  const rssSamples: number[] = [memoryOf(pid).rss];
  while (performance.now() - t0 < seconds * 1000) {
    await new Promise((r) => setTimeout(r, Math.min(everyMs, seconds * 1000 - (performance.now() - t0))));
    rssSamples.push(memoryOf(pid).rss);
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpuMs = cpuMsOf(pid) - cpu0;
  return { seconds: elapsed, cpuMs, cpuPercent: (cpuMs / (elapsed * 1000)) * 100, rssSamples };
}

export const MB = 1_000_000;
export const MIB = 1024 * 1024;
