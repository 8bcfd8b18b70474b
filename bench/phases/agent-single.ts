// One task at a time, alternating with raw Docker so both see the same machine moment:
//   raw:   create call → start returns (Docker's own create+start, the denominator of every ratio)
//   agent: PayloadMessage written → create request on the Docker socket → `create` and `start`
//          events → SubmitTaskStateChange RUNNING arrives,
//          then StopTask arrives → `die` event → SubmitTaskStateChange STOPPED arrives,
// on a container whose PID 1 (busybox sleep) ignores SIGTERM, so every stop runs the full T.
import { removeContainers, rawCreateStart, rawStopOverrun, type RawSample } from '../lib/raw-docker.ts';
import { sleep } from '../lib/stats.ts';
import { CLUSTER, runTasks, type AgentHarness } from './agent-harness.ts';

/** As the raw baseline: a short pause after each sample so one sample's teardown settles. */
const PAUSE_MS = 150;
/** Let a fresh task settle (its RUNNING report acknowledged) before it is stopped. */
const SETTLE_MS = 200;

export interface AgentSample {
  taskArn: string;
  /** PayloadMessage written → the create request reached the Docker socket. */
  payloadToCreateIssuedMs: number;
  payloadToCreateEventMs: number;
  /** `create` event (≈ the create call returning) → the start request reached Docker. */
  createEventToStartIssuedMs: number;
  /** Inside Docker: create request → `create` event, plus start request → `start` event. */
  dockerMs: number;
  payloadToStartEventMs: number;
  payloadToRunningMs: number;
  /** StopTask arrived → STOPPED report arrived, minus the stop timeout. */
  stopOverrunMs: number;
  /** StopTask arrived → `die` event, minus the stop timeout. */
  stopDieOverrunMs: number;
}

export interface SingleResults {
  raw: RawSample[];
  agent: AgentSample[];
  rawWarmup: RawSample[];
  agentWarmup: AgentSample[];
  rawStop: Array<{ dieMs: number; returnMs: number }>;
}

async function agentSample(h: AgentHarness, stopTimeoutSec: number): Promise<AgentSample> {
  const tl = h.timeline;
  const [arn] = await runTasks(h, 1);
  const payload = await tl.waitFor(`payload:RUNNING:${arn}`, 5000);
  const running = await tl.waitFor(`report:RUNNING:${arn}`, 60_000);
  const createIssued = await tl.waitFor(`dockerreq:create:${arn}`, 2000);
  const create = await tl.waitFor(`docker:create:${arn}`, 2000);
  const start = await tl.waitFor(`docker:start:${arn}`, 2000);
  const startIssued = await tl.waitFor(`dockerreq:start:${h.events.containerOfTask.get(arn!)}`, 2000);
  await sleep(SETTLE_MS);
  await h.api.call('StopTask', { cluster: CLUSTER, task: arn, reason: 'bench: stop timing' });
  const stopRequest = await tl.waitFor(`request:StopTask:${arn}`, 2000);
  const stopped = await tl.waitFor(`report:STOPPED:${arn}`, stopTimeoutSec * 1000 + 30_000);
  const die = await tl.waitFor(`docker:die:${arn}`, 2000);
  // Remove only once the agent's own stop call has returned (Docker's `stop` event).
  await tl.waitFor(`docker:stop:${arn}`, 5000).catch(() => undefined);
  const id = h.events.containerOfTask.get(arn!);
  if (id) await removeContainers(h.docker, [id]);
  const T = stopTimeoutSec * 1000;
  return {
    taskArn: arn!,
    payloadToCreateIssuedMs: createIssued - payload,
    payloadToCreateEventMs: create - payload,
    createEventToStartIssuedMs: startIssued - create,
    dockerMs: create - createIssued + (start - startIssued),
    payloadToStartEventMs: start - payload,
    payloadToRunningMs: running - payload,
    stopOverrunMs: stopped - stopRequest - T,
    stopDieOverrunMs: die - stopRequest - T,
  };
}

async function rawSample(h: AgentHarness, name: string): Promise<RawSample> {
  const sample = await rawCreateStart(h.docker, h.runId, name, h.timeline);
  await removeContainers(h.docker, [sample.id]);
  return sample;
}

export async function singleTaskPhase(h: AgentHarness, o: { samples: number; warmups: number; rawStops: number; stopTimeoutSec: number; log: (m: string) => void }): Promise<SingleResults> {
  const out: SingleResults = { raw: [], agent: [], rawWarmup: [], agentWarmup: [], rawStop: [] };
  for (let i = 0; i < o.warmups + o.samples; i++) {
    const warm = i < o.warmups;
    // Which goes first alternates, so neither side always follows the other's teardown.
    let raw: RawSample | undefined;
    let agent: AgentSample | undefined;
    for (const side of i % 2 === 0 ? ['raw', 'agent'] : ['agent', 'raw']) {
      if (side === 'raw') raw = await rawSample(h, `bench-${h.runId}-raw-${i}`);
      else agent = await agentSample(h, o.stopTimeoutSec);
      await sleep(PAUSE_MS);
    }
    if (!raw || !agent) throw new Error('unreachable: both sides run every iteration');
    (warm ? out.rawWarmup : out.raw).push(raw);
    (warm ? out.agentWarmup : out.agent).push(agent);
    o.log(`  single ${warm ? 'warm-up' : `${i - o.warmups + 1}/${o.samples}`}: raw ${raw.createStartMs.toFixed(0)} ms, ` +
      `agent payload→RUNNING ${agent.payloadToRunningMs.toFixed(0)} ms, stop T+${agent.stopOverrunMs.toFixed(0)} ms`);
  }
  // Docker's own floor for the stop row: stop({t: T}) straight through dockerode.
  for (let i = 0; i < o.rawStops; i++) {
    const c = await rawCreateStart(h.docker, h.runId, `bench-${h.runId}-rawstop-${i}`);
    await sleep(SETTLE_MS);
    out.rawStop.push(await rawStopOverrun(h.docker, c.id, o.stopTimeoutSec, h.timeline));
    await removeContainers(h.docker, [c.id]);
    await sleep(PAUSE_MS);
  }
  return out;
}
