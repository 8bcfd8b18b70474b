// `npm run bench`: Dockhand's agent and control plane measured on this machine's real Docker
// engine, every timing next to Docker's own create+start of the same container in the same run.
// Writes bench/results/<timestamp>.json and .md, and (full runs) bench/results/latest.md.
//
//   node bench/run.ts            the full run (about 7 minutes on 2 cores)
//   node bench/run.ts --quick    a short form (about 2 minutes), same rows, fewer samples
//   node bench/run.ts --only rss the agent's memory and idle CPU only (about 2 minutes): idle,
//                                two bursts of 100 tasks, idle again; no latency rows
//   node bench/run.ts --profile  also writes CPU profiles of the agent and control plane
//                                children to bench/profiles/ (open them in Chrome DevTools)
// Phases can be skipped with --no-agent / --no-control-plane; the scale phase's layout can be
// changed with --agents N --tasks-per-agent N --clusters N, and the agent's environment extended
// with --agent-env NAME=VALUE (repeatable), e.g. --agent-env ECS_CHECKPOINT=false. The agent runs
// with the deployed Node flags (systemd/dockhand-agent.service); --agent-node-flags="<flags>"
// replaces them for an experiment (--agent-node-flags= for none).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deployedAgentNodeFlags, REPO_ROOT } from './lib/agent-process.ts';
import { machineInfo } from './lib/machine.ts';
import { memoryOf, watchUsage } from './lib/proc-usage.ts';
import { connectDocker, containersOfRun, foreignContainerCount, removeContainers } from './lib/raw-docker.ts';
import { writeReport, renderMarkdown, type RunReport } from './lib/report.ts';
import type { Metric } from './lib/results.ts';
import { sleep, summarize } from './lib/stats.ts';
import { agentRows, agentUsageRows, controlPlaneRows } from './lib/table-rows.ts';
import { Timeline } from './lib/timeline.ts';
import { startAgentHarness, type AgentHarness } from './phases/agent-harness.ts';
import { burstPhase } from './phases/agent-burst.ts';
import { singleTaskPhase, type SingleResults } from './phases/agent-single.ts';
import { controlPlaneScalePhase } from './phases/control-plane-scale.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'no-agent': { type: 'boolean', default: false },
    'no-control-plane': { type: 'boolean', default: false },
    agents: { type: 'string' },
    'tasks-per-agent': { type: 'string' },
    clusters: { type: 'string' },
    'agent-env': { type: 'string', multiple: true, default: [] },
    'agent-node-flags': { type: 'string' },
  },
});

const STOP_TIMEOUT_SEC = 2;
const settings = args.quick
  ? { samples: 5, warmups: 1, rawStops: 2, idleSec: 10, burstN: 20, burstOrder: ['raw', 'agent'] as Array<'raw' | 'agent'>, holdSec: 5,
      agents: 100, tasksPerAgent: 20, clusters: 1, lightSamples: 50, loadedSamples: 5, windowSec: 10 }
  : { samples: 30, warmups: 2, rawStops: 5, idleSec: 60, burstN: 100, burstOrder: ['raw', 'agent', 'agent', 'raw'] as Array<'raw' | 'agent'>, holdSec: 12,
      agents: 500, tasksPerAgent: 20, clusters: 1, lightSamples: 200, loadedSamples: 20, windowSec: 60 };
if (args.only !== undefined && args.only !== 'rss') throw new Error(`--only takes "rss", not "${args.only}"`);
const rssOnly = args.only === 'rss';
if (rssOnly) Object.assign(settings, { burstN: 100, burstOrder: ['agent', 'agent'], holdSec: 12 });
if (args.agents) settings.agents = Number(args.agents);
if (args['tasks-per-agent']) settings.tasksPerAgent = Number(args['tasks-per-agent']);
if (args.clusters) settings.clusters = Number(args.clusters);

const t0 = performance.now();
const log = (m: string) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${m}\n`);
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const startedAt = new Date().toISOString();
const tmpDir = mkdtempSync(join(tmpdir(), `dockhand-bench-${runId}-`));
const resultsDir = join(REPO_ROOT, 'bench/results');
const agentEnv = Object.fromEntries(args['agent-env'].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const agentNodeFlags = args['agent-node-flags']?.split(/\s+/).filter(Boolean);
const nodeFlags = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(REPO_ROOT, 'bench/profiles')}`] : [];
if (args.profile) mkdirSync(join(REPO_ROOT, 'bench/profiles'), { recursive: true });

const { docker, version } = await connectDocker();
const machine = await machineInfo(docker, version, await foreignContainerCount(docker, runId));
const timeline = new Timeline();
let harness: AgentHarness | undefined;

/** Removes every container this run made; returns how many were still there. */
async function cleanup(): Promise<number> {
  const h = harness;
  harness = undefined;
  await h?.close();
  const left = await containersOfRun(docker, runId);
  await removeContainers(docker, left);
  return left.length;
}
process.once('SIGINT', () => {
  log('interrupted: cleaning up');
  void cleanup().finally(() => process.exit(130));
});

const sections: RunReport['sections'] = [];
const details: Record<string, unknown> = {};
const notes: string[] = [];
let rawMedian = Number.NaN;
let exitCode = 0;
try {
  log(`run ${runId} (${args.quick ? 'quick' : 'full'}); logs in ${tmpDir}`);
  if (!args['no-agent']) {
    log('agent: control plane in this process, `dockhand agent` as a child');
    harness = await startAgentHarness({ docker, runId, timeline, tmpDir, nodeFlags, agentEnv, stopTimeoutSec: STOP_TIMEOUT_SEC, ...(agentNodeFlags ? { agentNodeFlags } : {}) });
    await sleep(5000); // past start-up work (first heartbeat, TCS connect, first metrics)
    log(`agent: idle for ${settings.idleSec} s (RSS and CPU)`);
    const idle = await watchUsage(harness.agentPid, settings.idleSec);
    // --only rss: the memory rows alone, so no single-task samples (their rows need them).
    let single: SingleResults | undefined;
    if (!rssOnly) {
      log(`agent: ${settings.samples} single tasks, alternating with raw Docker`);
      single = await singleTaskPhase(harness, { ...settings, stopTimeoutSec: STOP_TIMEOUT_SEC, log });
    }
    log(`agent: bursts of ${settings.burstN}`);
    const bursts = await burstPhase(harness, { n: settings.burstN, order: settings.burstOrder, holdSec: settings.holdSec, log });
    await sleep(3000);
    const rssAfterBursts = memoryOf(harness.agentPid).rss;
    if (single) {
      rawMedian = summarize(single.raw.map((s) => s.createStartMs)).median;
      sections.push({ title: 'Agent (real `dockhand agent` process, real Docker)', metrics: agentRows({ stopTimeoutSec: STOP_TIMEOUT_SEC, single, bursts, idle, rssAfterBursts }) });
    } else {
      sections.push({ title: 'Agent memory (real `dockhand agent` process, real Docker; `--only rss`)', metrics: agentUsageRows({ bursts, idle, rssAfterBursts }) });
    }
    details.agent = { single, bursts, idle, rssAfterBursts };
    const left = await cleanup();
    notes.push(`Agent phases: ${left} container(s) of this run were still present at cleanup and were removed.`);
  }
  if (!args['no-control-plane'] && !rssOnly) {
    log(`control plane: ${settings.agents} simulated agents, ${settings.agents * settings.tasksPerAgent} tasks, ${settings.clusters} clusters`);
    const scale = await controlPlaneScalePhase({ ...settings, tmpDir, nodeFlags, log });
    sections.push({ title: 'Control plane (`dockhand control-plane` process, simulated ACS agents)', metrics: controlPlaneRows(scale) });
    details.controlPlane = scale;
    notes.push(
      `Scale layout: ${scale.layout.agents} agents in ${scale.layout.clusters} cluster(s), ${scale.layout.tasks} tasks placed with StartTask; ` +
      `agents connected in ${scale.connectSec.toFixed(1)} s, tasks placed and reported RUNNING in ${scale.fillSec.toFixed(1)} s; ` +
      `DescribeTasks timed back to back for ${settings.windowSec} s while heartbeats and manifests flowed. ` +
      `Control plane store: ${scale.storeFiles.length ? `SQLite (${scale.storeFiles.join(', ')})` : 'in memory'}, the default of \`dockhand control-plane\`.`,
    );
    if (scale.agentErrorCount) notes.push(`Simulated agents saw ${scale.agentErrorCount} error(s), first: ${scale.agentErrors.slice(0, 3).join('; ')}`);
  }
} catch (err) {
  exitCode = 1;
  log(`FAILED: ${(err as Error).stack ?? String(err)}`);
  notes.push(`The run failed: ${(err as Error).message}`);
} finally {
  await cleanup();
}

notes.push(
  'How: PayloadMessage times are taken where the in-process control plane hands the frame to its websocket; RUNNING/STOPPED and StopTask ' +
  'times when the request reaches its HTTP server; create/start "issued" when the request reaches a pass-through proxy in front of the ' +
  'Docker socket (the agent and the raw client both go through it); Docker events when they arrive on one `GET /events` stream opened ' +
  'before the run. Times in the control-plane section are request written → frame or last response byte received, at the client.',
  agentNodeFlags
    ? `The agent ran with the Node flags given by --agent-node-flags: ${agentNodeFlags.join(' ') || '(none)'} (deployed: ${deployedAgentNodeFlags().join(' ')}).`
    : `The agent ran with the deployed Node flags (systemd/dockhand-agent.service, Dockerfile): ${deployedAgentNodeFlags().join(' ') || '(none)'}.`,
  'For comparison, the real Go agent v1.83.0 (capture in /work/shared/fixtures/ecs-agent-capture): RSS ≈ 37 MiB idle, ≈ 39 MiB with one task; ' +
  'PayloadMessage → RUNNING reported 417–521 ms; stop with T = 2 s → STOPPED reported 2157–2163 ms.',
);
const report: RunReport = {
  runId, mode: rssOnly ? (args.quick ? 'quick, rss only' : 'rss only') : args.quick ? 'quick' : 'full', startedAt, durationSec: (performance.now() - t0) / 1000, machine, loadAvgEnd: loadavg()[0] ?? 0,
  rawCreateStartMedianMs: rawMedian, settings: { ...settings, stopTimeoutSec: STOP_TIMEOUT_SEC, profile: args.profile, agentEnv, agentNodeFlags: agentNodeFlags ?? deployedAgentNodeFlags() }, sections, notes, details,
};
// latest.md is the committed table: only a complete, unmodified full run replaces it.
const complete = !args.quick && !rssOnly && exitCode === 0 && !args['no-agent'] && !args['no-control-plane'] && !args['agent-env'].length && !agentNodeFlags;
const written = writeReport(report, resultsDir, { latest: complete });
process.stdout.write(`\n${renderMarkdown(report)}\nWrote ${Object.values(written).filter(Boolean).join(', ')}\n`);
// Logs stay for a failed run; a good run leaves nothing behind.
if (exitCode === 0) rmSync(tmpDir, { recursive: true, force: true });
else log(`logs kept in ${tmpDir}`);
const failed: Metric[] = sections.flatMap((s) => s.metrics).filter((m) => m.goal && !m.pass);
log(exitCode !== 0 ? 'the run failed (see above); its table is incomplete' : `done: ${failed.length ? `${failed.length} goal(s) missed` : 'all goals met'}`);
process.exit(exitCode);
