// The ControlPlaneStore port, run against both implementations: the memory store (tests,
// --ephemeral) and the SQLite store (a real file in a temp dir). Same calls, same answers — in
// particular the paged queries, whose SQL must mean what the memory store's predicates mean.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { ContainerInstanceRecord, TaskDefinitionRecord, TaskRecord } from '../../src/control-plane/model/records.ts';
import type { ControlPlaneStore } from '../../src/control-plane/store/control-plane-store.ts';
import { createMemoryStore } from '../../src/control-plane/store/memory-store.ts';
import type { Page, PageRequest } from '../../src/control-plane/store/store-queries.ts';
import { createSqliteStore } from '../../src/control-plane/store/sqlite-store.ts';

const root = mkdtempSync(join(tmpdir(), 'dockhand-store-'));
let dirs = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

const makers: Array<[string, () => ControlPlaneStore]> = [
  ['memory', () => createMemoryStore()],
  ['sqlite', () => createSqliteStore(join(root, `db${++dirs}`))],
];

const P = 'arn:aws:ecs:us-east-1:000000000000';
const td = (family: string, revision: number, status: 'ACTIVE' | 'INACTIVE' = 'ACTIVE'): TaskDefinitionRecord => ({
  arn: `${P}:task-definition/${family}:${revision}`, family, revision, status, registeredAt: 1, tags: [],
  definition: { family, containerDefinitions: [{ name: 'c', image: 'busybox', memory: 8 }] },
});
const instance = (cluster: string, id: string, status: 'ACTIVE' | 'INACTIVE' = 'ACTIVE'): ContainerInstanceRecord => ({
  arn: `${P}:container-instance/${cluster}/${id}`, clusterName: cluster, ec2InstanceId: `mi-${id}`, status, registeredAt: 1,
  version: 1, attributes: [], registeredResources: [], tags: [],
});
const task = (cluster: string, id: string, o: Partial<TaskRecord> = {}): TaskRecord => ({
  arn: `${P}:task/${cluster}/${id}`, clusterName: cluster, containerInstanceArn: `${P}:container-instance/${cluster}/i1`,
  taskDefinitionArn: `${P}:task-definition/web:1`, launchType: 'EXTERNAL', lastStatus: 'PENDING', desiredStatus: 'RUNNING',
  version: 1, createdAt: 1, group: 'family:web', tags: [], overrides: {}, needs: { cpu: 0, memory: 8, ports: [], portsUdp: [] },
  containers: [], ...o,
});

/** Every ARN a paged query yields, following `after` with pages of `limit`. */
function all(query: (page: PageRequest) => Page, limit: number): string[][] {
  const pages: string[][] = [];
  let after: string | undefined;
  do {
    const page = query({ limit, ...(after !== undefined ? { after } : {}) });
    pages.push(page.arns);
    after = page.after;
  } while (after !== undefined && pages.length < 50);
  return pages;
}

describe.each(makers)('%s store', (_name, make) => {
  let store: ControlPlaneStore;
  beforeEach(() => {
    store?.close();
    store = make();
  });
  afterAll(() => store?.close());

  it('returns copies, and upserts keep creation order', () => {
    store.putCluster({ name: 'a', arn: `${P}:cluster/a`, status: 'ACTIVE', createdAt: 1, tags: [], settings: [] });
    store.putCluster({ name: 'b', arn: `${P}:cluster/b`, status: 'ACTIVE', createdAt: 2, tags: [], settings: [] });
    const a = store.getCluster('a')!;
    a.tags.push({ key: 'k', value: 'v' });
    expect(store.getCluster('a')!.tags).toEqual([]);
    store.putCluster({ ...a, status: 'INACTIVE' });
    expect(store.listClusters().map((c) => [c.name, c.status])).toEqual([['a', 'INACTIVE'], ['b', 'ACTIVE']]);
    expect(store.getCluster('nope')).toBeUndefined();
  });

  it('pages task definitions by family and revision, either way, filtered by status and family', () => {
    for (const d of [td('web', 1), td('api', 1), td('web', 2, 'INACTIVE'), td('web', 3), td('api', 2)]) store.putTaskDefinition(d);
    expect(store.latestRevision('web')).toBe(3);
    expect(store.latestRevision('none')).toBe(0);
    const name = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
    const asc = all((p) => store.pageTaskDefinitionArns({ status: 'ACTIVE', descending: false }, p), 2);
    expect(asc.map((page) => page.map(name))).toEqual([['api:1', 'api:2'], ['web:1', 'web:3']]);
    const desc = all((p) => store.pageTaskDefinitionArns({ status: 'ACTIVE', descending: true }, p), 3);
    expect(desc.map((page) => page.map(name))).toEqual([['web:3', 'web:1', 'api:2'], ['api:1']]);
    expect(store.pageTaskDefinitionArns({ status: 'INACTIVE', family: 'web', descending: false }, { limit: 10 }).arns.map(name)).toEqual(['web:2']);
    expect(store.pageTaskDefinitionArns({ status: 'ACTIVE', family: 'api', descending: false }, { limit: 10 }).arns.map(name)).toEqual(['api:1', 'api:2']);
  });

  it('pages container instances in registration order; no status means not INACTIVE', () => {
    for (const ci of [instance('c', 'i1'), instance('other', 'x'), instance('c', 'i2', 'INACTIVE'), instance('c', 'i3'), instance('c', 'i4')]) store.putContainerInstance(ci);
    const id = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
    expect(all((p) => store.pageContainerInstanceArns({ clusterName: 'c' }, p), 2).map((pg) => pg.map(id))).toEqual([['i1', 'i3'], ['i4']]);
    expect(store.pageContainerInstanceArns({ clusterName: 'c', status: 'INACTIVE' }, { limit: 5 }).arns.map(id)).toEqual(['i2']);
    expect(store.listContainerInstances('c').map((ci) => id(ci.arn))).toEqual(['i1', 'i2', 'i3', 'i4']);
  });

  it('pages tasks with the ListTasks filters, and lists live ones by cluster and by instance', () => {
    const i2 = `${P}:container-instance/c/i2`;
    store.putTask(task('c', 't1'));
    store.putTask(task('c', 't2', { lastStatus: 'RUNNING', startedBy: 'me', containerInstanceArn: i2 }));
    store.putTask(task('c', 't3', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }));
    store.putTask(task('c', 't4', { taskDefinitionArn: `${P}:task-definition/api:7`, launchType: 'EC2' }));
    store.putTask(task('d', 't5'));
    const id = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
    const ids = (q: Parameters<ControlPlaneStore['pageTaskArns']>[0]) => all((p) => store.pageTaskArns(q, p), 1).flat().map(id);
    expect(ids({ clusterName: 'c', desiredStatus: 'RUNNING' })).toEqual(['t1', 't2', 't4']);
    expect(ids({ clusterName: 'c', desiredStatus: 'PENDING' })).toEqual(['t1', 't4']);
    expect(ids({ clusterName: 'c', desiredStatus: 'STOPPED' })).toEqual(['t3']);
    expect(ids({ clusterName: 'c', desiredStatus: 'RUNNING', family: 'api' })).toEqual(['t4']);
    expect(ids({ clusterName: 'c', desiredStatus: 'RUNNING', startedBy: 'me' })).toEqual(['t2']);
    expect(ids({ clusterName: 'c', desiredStatus: 'RUNNING', containerInstanceArn: i2 })).toEqual(['t2']);
    expect(ids({ clusterName: 'c', desiredStatus: 'RUNNING', launchType: 'EC2' })).toEqual(['t4']);
    expect(store.pageTaskArns({ clusterName: 'c', desiredStatus: 'RUNNING' }, { limit: 3 }).after).toBeUndefined();

    // A task that stops between two pages does not lose the caller's place.
    const first = store.pageTaskArns({ clusterName: 'c', desiredStatus: 'RUNNING' }, { limit: 1 });
    store.putTask(task('c', 't1', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', version: 2 }));
    expect(store.pageTaskArns({ clusterName: 'c', desiredStatus: 'RUNNING' }, { limit: 5, after: first.after! }).arns.map(id)).toEqual(['t2', 't4']);
    expect(store.pageTaskArns({ clusterName: 'c', desiredStatus: 'RUNNING' }, { limit: 5, after: 'arn:unknown' }).arns).toEqual([]);

    expect(store.listLiveTasks('c').map((t) => id(t.arn))).toEqual(['t2', 't4']);
    expect(store.listLiveTasksOn(`${P}:container-instance/c/i1`).map((t) => id(t.arn))).toEqual(['t4']);
    expect(store.getTask(`${P}:task/c/t1`)!.version).toBe(2);
  });

  it('keeps documents by kind and key, grouped by parent, in creation order, paged, deletable', () => {
    for (const name of ['s1', 's2', 's3']) store.putDocument('service', name, 'prod', { name, desired: 1 });
    store.putDocument('service', 'other', 'dev', { name: 'other', desired: 1 });
    store.putDocument('taskSet', 's1', 'prod', { name: 'not a service' }); // same key, other kind
    store.putDocument('service', 's1', 'prod', { name: 's1', desired: 5 }); // replace keeps its place
    const got = store.getDocument<{ desired: number }>('service', 's1')!;
    got.desired = 99;
    expect(store.getDocument('service', 's1')).toEqual({ name: 's1', desired: 5 });
    expect(store.listDocuments<{ name: string }>('service', 'prod').map((d) => d.name)).toEqual(['s1', 's2', 's3']);
    expect(all((p) => store.pageDocumentKeys('service', 'prod', p), 2)).toEqual([['s1', 's2'], ['s3']]);
    expect(store.deleteDocument('service', 's2')).toBe(true);
    expect(store.deleteDocument('service', 's2')).toBe(false);
    expect(store.getDocument('service', 's2')).toBeUndefined();
    expect(store.listDocuments<{ name: string }>('service', 'prod').map((d) => d.name)).toEqual(['s1', 's3']);
    expect(store.listDocuments('taskSet', 'prod')).toEqual([{ name: 'not a service' }]);
    store.putDocument('service', 'other', 'prod', { name: 'other', desired: 2 }); // moves parent
    expect(store.listDocuments('service', 'dev')).toEqual([]);
    expect(all((p) => store.pageDocumentKeys('service', 'prod', p), 10)).toEqual([['s1', 's3', 'other']]);
  });

  it('keeps the ACS outbox: seqNums never reused, pending payloads and credentials oldest first', () => {
    expect([store.nextSeqNum('i'), store.nextSeqNum('i'), store.nextSeqNum('j'), store.nextSeqNum('i')]).toEqual([1, 2, 1, 3]);
    store.addPendingPayload('i', { messageId: 'm1', frame: '{"a":1}' });
    store.addPendingPayload('i', { messageId: 'm2', frame: '{"a":2}' });
    expect(store.removePendingPayload('i', 'm1')).toBe(true);
    expect(store.removePendingPayload('i', 'm1')).toBe(false);
    expect(store.removePendingPayload('j', 'm2')).toBe(false);
    expect(store.listPendingPayloads('i')).toEqual([{ messageId: 'm2', frame: '{"a":2}' }]);

    expect(store.getCredentialsId('t1', 'TaskApplication')).toBeUndefined();
    store.putCredentialsId('t1', 'TaskApplication', 'c1');
    store.putCredentialsId('t2', 'TaskApplication', 'c2');
    expect(store.getCredentialsId('t1', 'TaskApplication')).toBe('c1');
    const entry = (messageId: string, taskArn: string, credentialsId: string) => ({ messageId, taskArn, credentialsId, frame: `{"m":"${messageId}"}` });
    store.addPendingCredentials('i', entry('k1', 't1', 'c1'));
    store.addPendingCredentials('i', entry('k2', 't2', 'c2'));
    store.addPendingCredentials('i', entry('k3', 't1', 'c1'));
    expect(store.removePendingCredentials('i', 'k2', 'wrong')).toBe(false);
    expect(store.removePendingCredentials('i', 'k2', undefined)).toBe(true);
    expect(store.listPendingCredentials('i')).toEqual([entry('k1', 't1', 'c1'), entry('k3', 't1', 'c1')]);
    store.forgetTaskCredentials('i', 't1');
    expect(store.listPendingCredentials('i')).toEqual([]);
    expect(store.getCredentialsId('t1', 'TaskApplication')).toBeUndefined();
    expect(store.getCredentialsId('t2', 'TaskApplication')).toBe('c2');
  });
});

describe('sqlite store atomically', () => {
  it('keeps none of a unit\'s writes when it throws, and all of them when it returns', () => {
    const store = createSqliteStore(join(root, `db${++dirs}`));
    expect(() => store.atomically(() => {
      store.putCluster({ name: 'half', arn: 'arn:aws:ecs:us-east-1:0:cluster/half', status: 'ACTIVE', createdAt: 0, tags: [], settings: [], configuration: {} } as never);
      store.nextSeqNum('instance-a');
      throw new Error('crash in the middle');
    })).toThrow('crash in the middle');
    expect(store.getCluster('half')).toBeUndefined();
    expect(store.nextSeqNum('instance-a')).toBe(1); // the rolled-back increment never happened
    store.atomically(() => {
      store.putCluster({ name: 'whole', arn: 'arn:aws:ecs:us-east-1:0:cluster/whole', status: 'ACTIVE', createdAt: 0, tags: [], settings: [], configuration: {} } as never);
      store.atomically(() => store.addPendingPayload('instance-a', { messageId: 'm1', frame: '{}' })); // nested: joins
    });
    expect(store.getCluster('whole')?.name).toBe('whole');
    expect(store.listPendingPayloads('instance-a').map((p) => p.messageId)).toEqual(['m1']);
    store.close();
  });
});
