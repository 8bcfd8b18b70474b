// The setup the control-plane API tests share: one control plane per test file, started before its
// tests on an ephemeral port with a silent logger, a real @aws-sdk/client-ecs client on it, and
// both closed after the file's tests. Tests reach them through getters because they exist only
// once beforeAll has run.
import type { ECSClient } from '@aws-sdk/client-ecs';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startControlPlane, type ControlPlaneOptions, type RunningControlPlane } from '../../src/control-plane/index.ts';
import { FakeAgent, ecsClient, type FakeAgentOptions } from './fake-agent.ts';

export interface ControlPlaneEnv {
  readonly cp: RunningControlPlane;
  readonly ecs: ECSClient;
}

export type Cleanup = () => Promise<void> | void;

/**
 * Starts a control plane (with `options`) before the file's tests and closes it after them.
 * `setup` runs once it is up (create clusters, register task definitions, connect agents); what it
 * returns runs after the tests, before the client and the control plane close.
 */
export function useControlPlane(
  options: Omit<ControlPlaneOptions, 'logger'> = {},
  setup?: (env: ControlPlaneEnv) => Promise<Cleanup | void>,
): ControlPlaneEnv {
  let cp: RunningControlPlane | undefined;
  let ecs: ECSClient | undefined;
  let cleanup: Cleanup | void;
  const env: ControlPlaneEnv = {
    get cp() {
      if (!cp) throw new Error('the control plane starts in beforeAll: use env.cp inside a hook or a test');
      return cp;
    },
    get ecs() {
      if (!ecs) throw new Error('the control plane starts in beforeAll: use env.ecs inside a hook or a test');
      return ecs;
    },
  };
  beforeAll(async () => {
    cp = await startControlPlane({ logger: pino({ level: 'silent' }), ...options });
    ecs = ecsClient(cp.url);
    cleanup = await setup?.(env);
  });
  afterAll(async () => {
    await cleanup?.();
    ecs?.destroy();
    await cp?.close();
  });
  return env;
}

/** The error a call that must fail rejected with (an SDK exception is an Error); throws if it succeeded. */
export async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof Error)) throw new Error('expected the call to fail');
  return e;
}

/** A FakeAgent registered with the control plane, its ACS websocket open. */
export async function connectedAgent(o: FakeAgentOptions): Promise<FakeAgent> {
  const agent = await FakeAgent.register(o);
  await agent.connect();
  return agent;
}

/** Cleanups a test pushes as it goes (control planes, agents, processes), run in reverse order after it. */
export function cleanupsAfterEachTest(): Cleanup[] {
  const cleanups: Cleanup[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return cleanups;
}

/**
 * A control plane with `options` and an SDK client on it, both closed by `cleanups` (closing one
 * twice is harmless): for tests that stop a control plane and start another on the same dataDir.
 */
export async function startWithClient(options: Omit<ControlPlaneOptions, 'logger'>, cleanups: Cleanup[]): Promise<ControlPlaneEnv> {
  const cp = await startControlPlane({ logger: pino({ level: 'silent' }), ...options });
  const ecs = ecsClient(cp.url);
  cleanups.push(() => cp.close(), () => ecs.destroy());
  return { cp, ecs };
}

/** A list to put the agents a test starts in: each is closed after the test. */
export function closedAfterEachTest<T extends { close(): Promise<void> }>(): T[] {
  const agents: T[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.close();
  });
  return agents;
}

/** A fresh connected FakeAgent in `cluster` for every test (a new container instance each time), closed after it. */
export function useAgentPerTest(env: ControlPlaneEnv, cluster: string): { readonly agent: FakeAgent } {
  let agent: FakeAgent | undefined;
  beforeEach(async () => {
    agent = await connectedAgent({ url: env.cp.url, cluster });
  });
  afterEach(() => agent?.close());
  return {
    get agent() {
      if (!agent) throw new Error('the agent connects in beforeEach: use it inside a test');
      return agent;
    },
  };
}
