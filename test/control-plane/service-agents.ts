// Lightweight ACS agents for the service-scheduler tests: each is a FakeAgent (real SDK
// registration, real signed ACS websocket) that does what the control plane tells it — a task
// sent with desiredStatus RUNNING is reported RUNNING (or fails to start, or stays PENDING, as the
// test's `behaviour` says), a task sent with desiredStatus STOPPED is reported STOPPED. A shared
// Fleet watches what runs where, so tests can check the rollout bounds (never more than
// maximumPercent live, never fewer than minimumHealthyPercent RUNNING) at every moment.
import {
  CreateClusterCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand, waitUntilServicesInactive, waitUntilServicesStable,
  type ContainerDefinition, type ECSClient, type Service,
} from '@aws-sdk/client-ecs';
import type { ControlPlaneOptions } from '../../src/control-plane/index.ts';
import type { AcsTask } from '../../src/protocol/acs-messages.ts';
import { closedAfterEachTest, useControlPlane, type ControlPlaneEnv } from './control-plane-fixture.ts';
import { FakeAgent, eventually as eventuallyWithin, type FakeAgentOptions } from './fake-agent.ts';

export type Behaviour = 'run' | 'fail' | 'hold';

interface LiveTask { arn: string; family: string; version: string; instance: string; running: boolean; containers: string[] }

/** Every task the agents of a test hold, and the extremes seen while a watch is on. */
export class Fleet {
  readonly live = new Map<string, LiveTask>();
  /** Decides what an agent does with a new task; default: run it. */
  behaviour: (t: AcsTask) => Behaviour = () => 'run';
  /** Tasks that failed to start, in order. */
  readonly failed: string[] = [];
  /** Tasks that stopped after they started, in the order they stopped. */
  readonly stopped: string[] = [];
  #watch: { family: string; maxLive: number; minRunning: number } | undefined;

  /** Starts recording, for tasks of `family`, the most live and the fewest RUNNING at any moment. */
  watch(family: string): void {
    const mine = [...this.live.values()].filter((t) => t.family === family);
    this.#watch = { family, maxLive: mine.length, minRunning: mine.filter((t) => t.running).length };
  }

  stopWatch(): { maxLive: number; minRunning: number } {
    const w = this.#watch!;
    this.#watch = undefined;
    return { maxLive: w.maxLive, minRunning: w.minRunning };
  }

  changed(): void {
    const w = this.#watch;
    if (!w) return;
    const mine = [...this.live.values()].filter((t) => t.family === w.family);
    w.maxLive = Math.max(w.maxLive, mine.length);
    w.minRunning = Math.min(w.minRunning, mine.filter((t) => t.running).length);
  }

  on(instanceArn: string): LiveTask[] {
    return [...this.live.values()].filter((t) => t.instance === instanceArn);
  }
}

export class ServiceAgent {
  readonly agent: FakeAgent;
  readonly fleet: Fleet;
  #cursor = 0;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  #seen = new Set<string>();

  private constructor(agent: FakeAgent, fleet: Fleet) {
    this.agent = agent;
    this.fleet = fleet;
  }

  get arn(): string {
    return this.agent.containerInstanceArn;
  }

  static async start(fleet: Fleet, o: FakeAgentOptions): Promise<ServiceAgent> {
    const agent = await FakeAgent.register(o);
    await agent.connect();
    return new ServiceAgent(agent, fleet).#run();
  }

  /** The agent side after a control-plane restart: same instance, a new connection. */
  static async resume(fleet: Fleet, o: FakeAgentOptions, containerInstanceArn: string): Promise<ServiceAgent> {
    const agent = new FakeAgent(o);
    agent.containerInstanceArn = containerInstanceArn;
    await agent.connect();
    const sa = new ServiceAgent(agent, fleet);
    for (const t of fleet.on(containerInstanceArn)) sa.#seen.add(t.arn);
    return sa.#run();
  }

  #run(): this {
    this.#timer = setInterval(() => this.#poll(), 10);
    return this;
  }

  #poll(): void {
    const frames = this.agent.frames;
    for (; this.#cursor < frames.length; this.#cursor++) {
      const f = frames[this.#cursor]!;
      if ('unknown' in f || f.type !== 'PayloadMessage') continue;
      for (const t of f.message.tasks) this.#chain = this.#chain.then(() => this.#handle(t)).catch(() => undefined);
    }
  }

  async #handle(t: AcsTask): Promise<void> {
    const containers = t.containers.map((c) => c.name);
    if (t.desiredStatus === 'RUNNING') {
      if (this.#seen.has(t.arn)) return;
      this.#seen.add(t.arn);
      const behaviour = this.fleet.behaviour(t);
      if (behaviour === 'fail') {
        this.fleet.failed.push(t.arn);
        await this.agent.report(t.arn, 'STOPPED', containers.map((name) => ({ containerName: name, status: 'STOPPED', reason: 'CannotPullContainerError: pull access denied' })));
        return;
      }
      this.fleet.live.set(t.arn, { arn: t.arn, family: t.family, version: t.version, instance: this.arn, running: false, containers });
      this.fleet.changed();
      if (behaviour === 'hold') return;
      await this.agent.report(t.arn, 'RUNNING', containers.map((name) => ({ containerName: name, status: 'RUNNING', runtimeId: `rt-${name}` })));
      const live = this.fleet.live.get(t.arn);
      if (live) live.running = true;
      this.fleet.changed();
    } else {
      this.#seen.add(t.arn);
      if (!this.fleet.live.has(t.arn)) return;
      await this.agent.report(t.arn, 'STOPPED', containers.map((name) => ({ containerName: name, status: 'STOPPED', exitCode: 0 })));
      this.fleet.live.delete(t.arn);
      this.fleet.stopped.push(t.arn);
      this.fleet.changed();
    }
  }

  /** The task's essential container dies on its own (what `docker kill` does on a real agent). */
  async crash(taskArn: string): Promise<void> {
    const t = this.fleet.live.get(taskArn);
    if (!t) throw new Error(`${taskArn} is not live`);
    await this.agent.report(taskArn, 'STOPPED', t.containers.map((name) => ({ containerName: name, status: 'STOPPED', exitCode: 137 })));
    this.fleet.live.delete(taskArn);
    this.fleet.stopped.push(taskArn);
    this.fleet.changed();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#chain;
    await this.agent.close();
  }
}

export const TINY: ContainerDefinition[] = [{ name: 'app', image: 'busybox', cpu: 10, memory: 32, essential: true }];

export async function clusterWith(ecs: ECSClient, cluster: string, families: string[]): Promise<void> {
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  for (const family of families) await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: TINY }));
}

export async function describe(ecs: ECSClient, cluster: string, service: string): Promise<Service> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service], include: ['TAGS'] }));
  const svc = out.services?.[0];
  if (!svc) throw new Error(`no service ${service}: ${JSON.stringify(out.failures)}`);
  return svc;
}

/** The SDK's own waiters, polling fast. */
export const waitStable = (ecs: ECSClient, cluster: string, service: string, maxWaitTime = 20) =>
  waitUntilServicesStable({ client: ecs, maxWaitTime, minDelay: 0.1, maxDelay: 0.3 }, { cluster, services: [service] });
export const waitInactive = (ecs: ECSClient, cluster: string, service: string, maxWaitTime = 20) =>
  waitUntilServicesInactive({ client: ecs, maxWaitTime, minDelay: 0.1, maxDelay: 0.3 }, { cluster, services: [service] });

export async function eventMessages(ecs: ECSClient, cluster: string, service: string): Promise<string[]> {
  return ((await describe(ecs, cluster, service)).events ?? []).map((e) => e.message ?? '');
}

/** Polls until `check` passes; a roomy default, as these tests share two CPUs with the rest. */
export const eventually = <T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> => eventuallyWithin(check, timeoutMs);

export const tdOf = (family: string, rev: number) => `arn:aws:ecs:us-east-1:000000000000:task-definition/${family}:${rev}`;

export interface ServiceTestEnv extends ControlPlaneEnv {
  /** The agents the current test started. */
  readonly agents: readonly ServiceAgent[];
  /** Starts a ServiceAgent in `cluster` that acts for `fleet`; it is closed after the test. */
  agentIn(fleet: Fleet, cluster: string, extra?: Omit<FakeAgentOptions, 'url' | 'cluster'>): Promise<ServiceAgent>;
}

/**
 * The control plane of a service-scheduler test file: ACS heartbeats every second and a reconcile
 * pass every 100 ms unless `options` say otherwise, with the agents each test starts closed after it.
 */
export function useServiceControlPlane(options: Omit<ControlPlaneOptions, 'logger'> = {}): ServiceTestEnv {
  const env = useControlPlane({ heartbeatIntervalMs: 1000, serviceSchedulerIntervalMs: 100, ...options });
  const agents = closedAfterEachTest<ServiceAgent>();
  return {
    get cp() {
      return env.cp;
    },
    get ecs() {
      return env.ecs;
    },
    agents,
    async agentIn(fleet, cluster, extra = {}) {
      const a = await ServiceAgent.start(fleet, { url: env.cp.url, cluster, ...extra });
      agents.push(a);
      return a;
    },
  };
}
