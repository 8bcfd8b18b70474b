// The placement index behind RunTask: kept up to date by every write through the wrapped store,
// rebuilt from the store when the control plane starts (both stores, a SQLite file reopened), and
// brought back in line with the store after a unit of work that threw.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerInstanceRecord, TaskRecord } from '../../src/control-plane/model/records.ts';
import { ATTRIBUTE_KIND, attributeKey, indexedStore, placementIndexOf } from '../../src/control-plane/scheduler/placement-index.ts';
import type { ControlPlaneStore } from '../../src/control-plane/store/control-plane-store.ts';
import { createMemoryStore } from '../../src/control-plane/store/memory-store.ts';
import { createSqliteStore } from '../../src/control-plane/store/sqlite-store.ts';

const root = mkdtempSync(join(tmpdir(), 'dockhand-placement-index-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const P = 'arn:aws:ecs:us-east-1:000000000000';
const I1 = `${P}:container-instance/c/i1`;
const I2 = `${P}:container-instance/c/i2`;
const instance = (arn: string, status: ContainerInstanceRecord['status'] = 'ACTIVE'): ContainerInstanceRecord => ({
  arn, clusterName: 'c', ec2InstanceId: 'mi-1', status, registeredAt: 1, version: 1, attributes: [{ name: 'ecs.os-type', value: 'linux' }], registeredResources: [], tags: [],
});
const task = (id: string, o: Partial<TaskRecord> = {}): TaskRecord => ({
  arn: `${P}:task/c/${id}`, clusterName: 'c', containerInstanceArn: I1, taskDefinitionArn: `${P}:task-definition/web:1`, launchType: 'EXTERNAL',
  lastStatus: 'PENDING', desiredStatus: 'RUNNING', version: 1, createdAt: 1, group: 'family:web', tags: [], overrides: {},
  needs: { cpu: 100, memory: 64, ports: [8080], portsUdp: [] }, containers: [], ...o,
});

function seed(store: ControlPlaneStore): void {
  store.putCluster({ name: 'c', arn: `${P}:cluster/c`, status: 'ACTIVE', createdAt: 1, tags: [], settings: [] });
  store.putContainerInstance(instance(I1));
  store.putContainerInstance(instance(I2));
  store.putTask(task('t1', { lastStatus: 'RUNNING' }));
  store.putTask(task('t2'));
  store.putTask(task('t3', { containerInstanceArn: I2, group: 'service:api' }));
  store.putTask(task('t4', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }));
  store.putDocument(ATTRIBUTE_KIND, attributeKey(I1, 'stack'), 'c', { targetId: I1, name: 'stack', value: 'prod' });
}

function snapshot(store: ControlPlaneStore) {
  const index = placementIndexOf(store);
  return {
    instances: index.instancesOf('c').map((ci) => `${ci.arn.slice(-2)}:${ci.status}`),
    i1: index.usageOf(I1),
    i2: index.usageOf(I2),
    custom: index.customAttributesOf(I1).map((a) => `${a.name}=${a.value}`),
  };
}

const expected = {
  instances: ['i1:ACTIVE', 'i2:ACTIVE'],
  i1: { used: { cpu: 200, memory: 128, ports: [8080, 8080], portsUdp: [] }, runningTasksCount: 1, pendingTasksCount: 1, groups: new Map([['family:web', 2]]) },
  i2: { used: { cpu: 100, memory: 64, ports: [8080], portsUdp: [] }, runningTasksCount: 0, pendingTasksCount: 1, groups: new Map([['service:api', 1]]) },
  custom: ['stack=prod'],
};

describe.each([['memory'], ['sqlite']])('placement index over the %s store', (kind) => {
  it('follows writes made through the wrapped store', () => {
    const store = indexedStore(kind === 'memory' ? createMemoryStore() : createSqliteStore(join(root, 'follow')));
    seed(store);
    expect(snapshot(store)).toEqual(expected);
    // A stop request frees nothing until the task is STOPPED, but leaves the group at once.
    store.putTask(task('t2', { desiredStatus: 'STOPPED' }));
    expect(placementIndexOf(store).usageOf(I1)).toMatchObject({ pendingTasksCount: 1, used: { cpu: 200 }, groups: new Map([['family:web', 1]]) });
    store.putTask(task('t2', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }));
    store.putContainerInstance(instance(I2, 'DRAINING'));
    store.deleteDocument(ATTRIBUTE_KIND, attributeKey(I1, 'stack'));
    expect(snapshot(store)).toMatchObject({ instances: ['i1:ACTIVE', 'i2:DRAINING'], i1: { used: { cpu: 100 }, pendingTasksCount: 0 }, custom: [] });
    store.close();
  });

  it('is rebuilt from what the store holds when the control plane starts', () => {
    const dir = join(root, `restart-${kind}`);
    const first = kind === 'memory' ? createMemoryStore() : createSqliteStore(dir);
    seed(first); // written without the wrapper: the index must come from the store alone
    const reopened = kind === 'memory' ? first : (first.close(), createSqliteStore(dir));
    const store = indexedStore(reopened);
    expect(snapshot(store)).toEqual(expected);
    store.close();
  });

  it('agrees with the store again after a unit of work that threw', () => {
    const store = indexedStore(kind === 'memory' ? createMemoryStore() : createSqliteStore(join(root, 'rollback')));
    seed(store);
    expect(() => store.atomically(() => {
      store.putTask(task('t5', { containerInstanceArn: I2 }));
      throw new Error('payload could not be queued');
    })).toThrow('payload could not be queued');
    // SQLite rolled t5 back; the memory store has no transactions and kept it. Either way the
    // index says what the store says.
    const live = store.listLiveTasksOn(I2).length;
    expect(live).toBe(kind === 'sqlite' ? 1 : 2);
    expect(placementIndexOf(store).usageOf(I2).pendingTasksCount).toBe(live);
    store.close();
  });
});
