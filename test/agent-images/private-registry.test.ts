// Private registries end to end: a REAL registry (docker-registry with htpasswd users) on loopback,
// `dockhand local` with ECS_ENGINE_AUTH_TYPE/ECS_ENGINE_AUTH_DATA in both of the real agent's
// formats, tasks run through @aws-sdk/client-ecs. Also checks the pull window in DescribeTasks, the
// throttled progress lines, and that no password reaches any log line of agent or control plane.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { docker, TEST_IMAGE } from '../e2e/local-harness.ts';
import { imageExists, pushImage, REGISTRY_BIN, removeRegistryImages, startRegistry, type TestRegistry } from './registry-fixture.ts';
import { isRunning, isStopped, logLines, startImagesLocal, type ImagesLocal } from './images-harness.ts';

const GOOD = { username: 'dockhand', password: 'Good-Pa55word-7f3a91' };
const WRONG_PASSWORD = 'Wrong-Pa55word-c0ffee';
const PAYLOAD_BYTES = 3 * 1024 * 1024;

let registry: TestRegistry;
let plainRef: string;
let bigRef: string;
const locals: ImagesLocal[] = [];

beforeAll(async () => {
  if (!existsSync(REGISTRY_BIN)) throw new Error(`${REGISTRY_BIN} missing: run scripts/bootstrap.sh --test (installs docker-registry, apache2-utils)`);
  registry = await startRegistry({ users: { [GOOD.username]: GOOD.password } });
  plainRef = await pushImage(registry.host, 'dockhand-test/plain', { auth: GOOD });
  bigRef = await pushImage(registry.host, 'dockhand-test/big', { auth: GOOD, payloadBytes: PAYLOAD_BYTES });
}, 120_000);

afterAll(async () => {
  for (const l of locals) await l.stop({ removeData: true });
  await removeRegistryImages([registry.host]);
  await registry?.stop();
});

/** One `dockhand local` per test, stopped (its task containers removed) when the next one starts. */
async function local(env: Record<string, string>): Promise<ImagesLocal> {
  for (const l of locals.splice(0)) await l.stop({ removeData: true });
  const l = await startImagesLocal({ ECS_IMAGE_PULL_BEHAVIOR: 'always', ...env });
  locals.push(l);
  return l;
}

const dockerAuth = (password: string): string => JSON.stringify({ [registry.host]: { username: GOOD.username, password, email: 'ops@example.com' } });
const dockercfgAuth = (password: string): string =>
  JSON.stringify({ [`http://${registry.host}`]: { auth: Buffer.from(`${GOOD.username}:${password}`).toString('base64'), email: 'ops@example.com' } });

function expectNoPassword(...logs: string[]): void {
  for (const log of logs) {
    expect(log.length).toBeGreaterThan(1000); // the log was captured at all
    for (const secret of [GOOD.password, WRONG_PASSWORD]) {
      expect(log).not.toContain(secret);
      expect(log).not.toContain(Buffer.from(`${GOOD.username}:${secret}`).toString('base64'));
    }
  }
}

describe('private registry credentials (ECS_ENGINE_AUTH_TYPE / ECS_ENGINE_AUTH_DATA)', () => {
  it('the registry really requires them: an anonymous pull is refused', async () => {
    await expect(docker.pull(plainRef)).rejects.toThrow(/no basic auth credentials|unauthorized|authentication required/);
  });

  it('docker format, good password: the task runs; pull window, progress lines, no password in the log', async () => {
    const l = await local({ ECS_ENGINE_AUTH_TYPE: 'docker', ECS_ENGINE_AUTH_DATA: dockerAuth(GOOD.password) });
    const task = await l.runTask('private-good', [{ name: 'app', image: bigRef, command: ['sleep', '3600'], memory: 32, essential: true }]);
    const running = await l.waitForTask(task.taskArn!, isRunning, 60_000);
    expect(await imageExists(bigRef)).toBe(true);

    // pullStartedAt/pullStoppedAt: agent task state → SubmitTaskStateChange → TaskRecord → DescribeTasks.
    expect(running.pullStartedAt).toBeInstanceOf(Date);
    expect(running.pullStoppedAt).toBeInstanceOf(Date);
    expect(running.pullStoppedAt!.getTime()).toBeGreaterThanOrEqual(running.pullStartedAt!.getTime());
    expect(running.createdAt!.getTime() - 1000).toBeLessThanOrEqual(running.pullStartedAt!.getTime());
    expect(running.startedAt!.getTime() + 1000).toBeGreaterThanOrEqual(running.pullStoppedAt!.getTime());

    const log = l.log();
    const pulling = logLines(log, 'pulling image').find((e) => e.image === bigRef);
    expect(pulling).toMatchObject({ registry: registry.host, withCredentialsFor: registry.host });
    // One line for the downloaded layer (the base layer is already here), and a summary: not one per
    // progress message (Docker sent dozens for 3 MiB).
    const layerLines = logLines(log, 'image layer pulled').filter((e) => e.image === bigRef);
    expect(layerLines).toHaveLength(1);
    expect(layerLines[0]!.bytes).toBeGreaterThan(PAYLOAD_BYTES * 0.9);
    const summary = logLines(log, 'image pulled').find((e) => e.image === bigRef);
    expect(summary).toMatchObject({ layers: 2, layersPresent: 1 });
    expect(summary!.downloadedBytes).toBeGreaterThan(PAYLOAD_BYTES * 0.9);
    expect(logLines(log, 'image pull progress').filter((e) => e.image === bigRef).length).toBeLessThanOrEqual(3);
    expectNoPassword(log);
  });

  it('dockercfg format (base64 user:password, key with scheme) pulls too', async () => {
    const l = await local({ ECS_ENGINE_AUTH_TYPE: 'dockercfg', ECS_ENGINE_AUTH_DATA: dockercfgAuth(GOOD.password) });
    const task = await l.runTask('private-dockercfg', [{ name: 'app', image: plainRef, command: ['sleep', '3600'], memory: 32, essential: true }]);
    await l.waitForTask(task.taskArn!, isRunning, 60_000);
    expectNoPassword(l.log());
  });

  it.each([
    ['docker', () => dockerAuth(WRONG_PASSWORD)],
    ['dockercfg', () => dockercfgAuth(WRONG_PASSWORD)],
  ])('%s format, wrong password: the task stops with CannotPullContainerError, the password is never logged', async (type, data) => {
    await removeRegistryImages([registry.host]); // nothing cached to fall back to
    const l = await local({ ECS_ENGINE_AUTH_TYPE: type, ECS_ENGINE_AUTH_DATA: data() });
    const task = await l.runTask(`private-bad-${type}`, [{ name: 'app', image: plainRef, command: ['sleep', '3600'], memory: 32, essential: true }]);
    const stopped = await l.waitForTask(task.taskArn!, isStopped, 60_000);
    const reason = stopped.containers?.[0]?.reason ?? '';
    expect(reason).toMatch(/^CannotPullContainerError: /);
    expect(reason).toMatch(/unauthorized|authentication required/);
    expect(stopped.stoppedReason).toBe(reason);
    expect(stopped.stopCode).toBe('TaskFailedToStart');
    expect(stopped.pullStartedAt).toBeInstanceOf(Date);
    expect(await imageExists(plainRef)).toBe(false);
    expectNoPassword(l.log());
  });

  it('a registry without configured credentials is pulled anonymously (and refused here)', async () => {
    const l = await local({ ECS_ENGINE_AUTH_TYPE: 'docker', ECS_ENGINE_AUTH_DATA: JSON.stringify({ 'other.example.com': GOOD }) });
    const task = await l.runTask('private-none', [{ name: 'app', image: plainRef, command: ['sleep', '3600'], memory: 32, essential: true }]);
    const stopped = await l.waitForTask(task.taskArn!, isStopped, 60_000);
    expect(stopped.containers?.[0]?.reason).toMatch(/^CannotPullContainerError: .*(no basic auth credentials|unauthorized)/);
    const pulling = logLines(l.log(), 'pulling image').find((e) => e.image === plainRef);
    expect(pulling).toBeDefined();
    expect(pulling!.withCredentialsFor).toBeUndefined();
    expectNoPassword(l.log());
  });

  it('malformed auth data is a start-up warning that quotes nothing of it; the agent still runs tasks', async () => {
    const l = await local({
      ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached',
      ECS_ENGINE_AUTH_TYPE: 'docker', ECS_ENGINE_AUTH_DATA: `{"${registry.host}": {"username": "x", "password": "${GOOD.password}"`,
    });
    const warning = logLines(l.log(), 'ECS_ENGINE_AUTH_DATA is not a JSON object of registries (ECS_ENGINE_AUTH_TYPE=docker); pulling without registry credentials');
    expect(warning).toHaveLength(1);
    const task = await l.runTask('private-malformed', [{ name: 'app', image: TEST_IMAGE, command: ['sleep', '3600'], memory: 32, essential: true }]);
    await l.waitForTask(task.taskArn!, isRunning, 60_000);
    expectNoPassword(l.log());
  });
});
