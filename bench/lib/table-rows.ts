// Turns what the phases measured into the table's rows, each with the goal it is judged against.
// Goals are the issue's; "×raw" everywhere is Docker's own create+start median from this same run.
import type { BurstRound } from '../phases/agent-burst.ts';
import type { SingleResults } from '../phases/agent-single.ts';
import type { ScaleResults } from '../phases/control-plane-scale.ts';
import type { UsageWindow } from './proc-usage.ts';
import { MB } from './proc-usage.ts';
import { atMost, below, metric, type Metric } from './results.ts';
import { summarize } from './stats.ts';

export interface AgentMeasurements {
  stopTimeoutSec: number;
  single: SingleResults;
  bursts: BurstRound[];
  idle: UsageWindow;
  /** RSS (bytes) when idle again after the bursts. */
  rssAfterBursts: number;
}

const mb = (bytes: number[]) => bytes.map((b) => b / MB);

export function agentRows(m: AgentMeasurements): Metric[] {
  const raw = m.single.raw.map((s) => s.createStartMs);
  const rawMedian = summarize(raw).median;
  const agent = m.single.agent;
  const T = m.stopTimeoutSec;
  const burstN = m.bursts[0]?.n ?? 0;
  const sum = (kind: 'raw' | 'agent') => m.bursts.filter((b) => b.kind === kind).reduce((s, b) => s + b.wallMs, 0);
  const agentBursts = m.bursts.filter((b) => b.kind === 'agent');
  return [
    metric({ key: 'raw.createStart', label: 'Raw Docker create+start (dockerode, same container)', unit: 'ms', samples: raw }),
    metric({
      key: 'agent.payloadToCreateIssued', label: 'PayloadMessage → `docker create` issued (request on the Docker socket)',
      unit: 'ms', samples: agent.map((s) => s.payloadToCreateIssuedMs), goal: atMost('median', 10, 'ms'),
    }),
    metric({ key: 'agent.payloadToRunning', label: 'PayloadMessage → RUNNING reported', unit: 'ms', samples: agent.map((s) => s.payloadToRunningMs) }),
    metric({
      key: 'agent.ownTime', label: "Agent's own part: payload → create issued, `create` event → start issued, `start` event → RUNNING report", unit: 'ms',
      samples: agent.map((s) => s.payloadToCreateIssuedMs + s.createEventToStartIssuedMs + s.payloadToRunningMs - s.payloadToStartEventMs),
      note: 'PayloadMessage → RUNNING without Docker\'s create→start time, so it does not move with the engine\'s load',
    }),
    metric({
      key: 'docker.agentContainer', label: "Docker's part for the agent's container: create request → `create` event, start request → `start` event", unit: 'ms',
      samples: agent.map((s) => s.dockerMs),
    }),
    metric({ key: 'docker.rawContainer', label: '… the same for the raw container', unit: 'ms', samples: m.single.raw.map((s) => s.dockerMs ?? Number.NaN) }),
    metric({
      key: 'agent.runningOverhead', label: 'PayloadMessage → RUNNING, minus raw create+start median', unit: 'ms',
      samples: agent.map((s) => s.payloadToRunningMs - rawMedian), goal: atMost('median', 15, 'ms'),
    }),
    metric({
      key: 'agent.stopOverrun', label: `StopTask → STOPPED reported, beyond T = ${T} s (SIGTERM ignored)`, unit: 'ms',
      samples: agent.map((s) => s.stopOverrunMs), goal: atMost('p90', 100, 'ms', 'p90 ≤ T + 100 ms'),
    }),
    metric({ key: 'agent.stopDieOverrun', label: `StopTask → \`die\` event, beyond T`, unit: 'ms', samples: agent.map((s) => s.stopDieOverrunMs) }),
    metric({ key: 'agent.dieToStopped', label: '`die` event → STOPPED reported (agent\'s own part of the stop)', unit: 'ms', samples: agent.map((s) => s.stopOverrunMs - s.stopDieOverrunMs) }),
    metric({ key: 'raw.stopDieOverrun', label: `Raw \`stop(t=${T})\` → \`die\` event, beyond T`, unit: 'ms', samples: m.single.rawStop.map((s) => s.dieMs) }),
    metric({ key: 'raw.stopReturnOverrun', label: `Raw \`stop(t=${T})\` returns, beyond T`, unit: 'ms', samples: m.single.rawStop.map((s) => s.returnMs) }),
    metric({ key: 'burst.raw', label: `Raw parallel create+start ×${burstN}, wall`, unit: 'ms', samples: m.bursts.filter((b) => b.kind === 'raw').map((b) => b.wallMs) }),
    metric({ key: 'burst.agent', label: `${burstN} tasks at once → all RUNNING (first payload → last report)`, unit: 'ms', samples: agentBursts.map((b) => b.wallMs) }),
    metric({
      key: 'burst.ratio', label: `${burstN} tasks at once ÷ raw parallel ×${burstN} (Σ agent walls ÷ Σ raw walls)`, unit: 'x',
      samples: sum('raw') > 0 ? [sum('agent') / sum('raw')] : [], goal: atMost('max', 1.15, '×', '≤ 1.15×'),
    }),
    metric({
      key: 'burst.lastCreateIssued', label: `${burstN} tasks at once: first payload → last \`create\` issued`, unit: 'ms',
      samples: agentBursts.map((b) => b.lastCreateIssuedMs ?? Number.NaN),
    }),
    metric({ key: 'agent.burstCpuPerTask', label: `Agent CPU per task during the ×${burstN} burst`, unit: 'ms', samples: agentBursts.map((b) => (b.agentCpuMs ?? 0) / b.n) }),
    ...agentUsageRows(m),
  ];
}

/** The agent's memory and idle-CPU rows: all that `bench --only rss` measures. */
export function agentUsageRows(m: Pick<AgentMeasurements, 'bursts' | 'idle' | 'rssAfterBursts'>): Metric[] {
  const agentBursts = m.bursts.filter((b) => b.kind === 'agent');
  const burstN = agentBursts[0]?.n ?? 0;
  return [
    metric({ key: 'agent.rssIdle', label: 'Agent RSS idle (registered, connected)', unit: 'MB', samples: mb(m.idle.rssSamples), goal: atMost('max', 75, 'MB', 'max ≤ 75 MB') }),
    metric({
      key: 'agent.rssBurst', label: `Agent RSS with ${burstN} tasks running`, unit: 'MB',
      samples: mb(agentBursts.flatMap((b) => b.rssSamples ?? [])), goal: atMost('max', 110, 'MB', 'max ≤ 110 MB'),
    }),
    metric({
      key: 'agent.cpuIdle', label: `Agent CPU idle, % of a core over ${m.idle.seconds.toFixed(0)} s`, unit: '%',
      samples: [m.idle.cpuPercent], goal: below('max', 0.2, '%', '< 0.2 %'),
    }),
    metric({ key: 'agent.rssAfterBursts', label: 'Agent RSS idle again after the bursts', unit: 'MB', samples: mb([m.rssAfterBursts]) }),
  ];
}

export function controlPlaneRows(s: ScaleResults): Metric[] {
  const { agents, clusters, tasks } = s.layout;
  const perCluster = clusters === 1 ? `${agents} agents, ${tasks} tasks` : `${agents / clusters} agents, ${tasks / clusters} tasks per cluster`;
  return [
    metric({ key: 'cp.runTaskToPayload', label: 'Control plane RunTask → PayloadMessage on the wire (1 agent)', unit: 'ms', samples: s.runTaskLightMs, goal: atMost('median', 5, 'ms') }),
    metric({
      key: 'cp.runTaskToPayloadLoaded', label: `… same, into a loaded cluster (${perCluster})`, unit: 'ms',
      samples: s.runTaskLoadedMs, goal: atMost('median', 5, 'ms'),
    }),
    metric({ key: 'cp.describeTasks1', label: `DescribeTasks, 1 task (${agents} agents, ${tasks} tasks)`, unit: 'ms', samples: s.describe1Ms, goal: atMost('p99', 20, 'ms') }),
    metric({ key: 'cp.describeTasks100', label: `DescribeTasks, 100 tasks (${agents} agents, ${tasks} tasks)`, unit: 'ms', samples: s.describe100Ms, goal: atMost('p99', 20, 'ms') }),
    metric({ key: 'cp.rss', label: `Control plane RSS (${agents} agents, ${tasks} tasks; peak ${(s.rssPeak / MB).toFixed(1)} MB)`, unit: 'MB', samples: mb(s.rssWindow) }),
    metric({ key: 'cp.cpuWindow', label: 'Control plane CPU during the DescribeTasks window, % of a core', unit: '%', samples: [s.cpuPercentWindow] }),
    metric({ key: 'cp.startTask', label: `StartTask (10 instances per call) while filling to ${tasks} tasks`, unit: 'ms', samples: s.startTaskMs }),
  ];
}
