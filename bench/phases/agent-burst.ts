// Many tasks at once: raw Docker creates+starts N containers in parallel (first create call → last
// start returns), and the agent gets the same N through RunTask (count 10 each, all requests at
// once; first PayloadMessage written → last RUNNING report arrived). Rounds alternate (ABBA in the
// full run) so a drifting machine does not favour either side. While the agent's N tasks run, its
// RSS is sampled long enough to include one stats poll (ECS_POLLING_METRICS_WAIT_DURATION, 10 s).
import { cpuMsOf, watchUsage } from '../lib/proc-usage.ts';
import { rawParallel, removeContainers } from '../lib/raw-docker.ts';
import { sleep } from '../lib/stats.ts';
import { runTasks, type AgentHarness } from './agent-harness.ts';

/** RunTask's own limit on `count`. */
const RUN_TASK_MAX_COUNT = 10;
const BETWEEN_ROUNDS_MS = 2000;

export interface BurstRound {
  kind: 'raw' | 'agent';
  n: number;
  wallMs: number;
  /** Agent rounds: RSS samples (bytes) while the N tasks run. */
  rssSamples?: number[];
  /** Agent rounds: the agent's CPU time from the RunTask calls to the last RUNNING report. */
  agentCpuMs?: number;
  /** Agent rounds: first PayloadMessage → the last create request reached Docker. */
  lastCreateIssuedMs?: number;
}

async function agentRound(h: AgentHarness, n: number, holdSec: number): Promise<BurstRound> {
  const tl = h.timeline;
  const counts: number[] = [];
  for (let left = n; left > 0; left -= RUN_TASK_MAX_COUNT) counts.push(Math.min(RUN_TASK_MAX_COUNT, left));
  const cpu0 = cpuMsOf(h.agentPid);
  const arns = (await Promise.all(counts.map((c) => runTasks(h, c)))).flat();
  const payloads = await Promise.all(arns.map((a) => tl.waitFor(`payload:RUNNING:${a}`, 10_000)));
  const reports = await Promise.all(arns.map((a) => tl.waitFor(`report:RUNNING:${a}`, 300_000)));
  const agentCpuMs = cpuMsOf(h.agentPid) - cpu0;
  const firstPayload = Math.min(...payloads);
  const wallMs = Math.max(...reports) - firstPayload;
  const creates = arns.map((a) => tl.get(`dockerreq:create:${a}`) ?? Number.NaN);
  const hold = await watchUsage(h.agentPid, holdSec);
  // Removing the containers is the fastest teardown; the agent sees each `die` and reports STOPPED.
  const ids = arns.map((a) => h.events.containerOfTask.get(a)).filter((id): id is string => !!id);
  await removeContainers(h.docker, ids);
  await Promise.all(arns.map((a) => tl.waitFor(`report:STOPPED:${a}`, 120_000)));
  return { kind: 'agent', n, wallMs, rssSamples: hold.rssSamples, agentCpuMs, lastCreateIssuedMs: Math.max(...creates) - firstPayload };
}

async function rawRound(h: AgentHarness, n: number, round: number): Promise<BurstRound> {
  const { wallMs, ids } = await rawParallel(h.docker, h.runId, n, `bench-${h.runId}-burst${round}`);
  await removeContainers(h.docker, ids);
  return { kind: 'raw', n, wallMs };
}

export async function burstPhase(h: AgentHarness, o: { n: number; order: Array<'raw' | 'agent'>; holdSec: number; log: (m: string) => void }): Promise<BurstRound[]> {
  const rounds: BurstRound[] = [];
  for (const [i, kind] of o.order.entries()) {
    const r = kind === 'raw' ? await rawRound(h, o.n, i) : await agentRound(h, o.n, o.holdSec);
    rounds.push(r);
    o.log(`  burst ${i + 1}/${o.order.length} ${kind} ×${o.n}: ${(r.wallMs / 1000).toFixed(2)} s`);
    await sleep(BETWEEN_ROUNDS_MS);
  }
  return rounds;
}
