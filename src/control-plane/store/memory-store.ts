// In-memory ControlPlaneStore, for tests and `--ephemeral`. Maps keep insertion order, which gives
// the "creation order" the port promises. structuredClone on the way in and out keeps callers
// from sharing state with it. Nothing here is indexed: fine at the sizes tests and a laptop see.
import type { ControlPlaneStore } from './control-plane-store.ts';
import type {
  ClusterRecord,
  ContainerInstanceRecord,
  PendingCredentials,
  PendingPayload,
  TaskDefinitionRecord,
  TaskRecord,
} from '../model/records.ts';
import { compareTaskDefinitions, matchesInstance, matchesTask, matchesTaskDefinition, pageOf } from './store-queries.ts';

const copy = <T,>(value: T): T => structuredClone(value);

export function createMemoryStore(): ControlPlaneStore {
  const clusters = new Map<string, ClusterRecord>();
  const taskDefinitions = new Map<string, TaskDefinitionRecord>(); // key family:revision
  const instances = new Map<string, ContainerInstanceRecord>();
  const tasks = new Map<string, TaskRecord>();
  const seqNums = new Map<string, number>();
  const pending = new Map<string, PendingPayload[]>();
  const credentialIds = new Map<string, string>(); // key taskArn|roleType
  const pendingCredentials = new Map<string, PendingCredentials[]>();
  const documents = new Map<string, { arn: string; kind: string; parent: string; record: unknown }>(); // key kind|key

  const tasksWhere = (keep: (t: TaskRecord) => boolean) => [...tasks.values()].filter(keep).map(copy);

  return {
    getCluster: (name) => maybeCopy(clusters.get(name)),
    putCluster: (c) => void clusters.set(c.name, copy(c)),
    listClusters: () => [...clusters.values()].map(copy),

    getTaskDefinition: (family, revision) => maybeCopy(taskDefinitions.get(`${family}:${revision}`)),
    putTaskDefinition: (td) => void taskDefinitions.set(`${td.family}:${td.revision}`, copy(td)),
    latestRevision(family) {
      let max = 0;
      for (const td of taskDefinitions.values()) if (td.family === family && td.revision > max) max = td.revision;
      return max;
    },
    pageTaskDefinitionArns(query, page) {
      const ordered = [...taskDefinitions.values()].sort(compareTaskDefinitions);
      if (query.descending) ordered.reverse();
      return pageOf(ordered, (td) => matchesTaskDefinition(query, td), page);
    },

    getContainerInstance: (arn) => maybeCopy(instances.get(arn)),
    putContainerInstance: (ci) => void instances.set(ci.arn, copy(ci)),
    listContainerInstances: (clusterName) => [...instances.values()].filter((ci) => ci.clusterName === clusterName).map(copy),
    pageContainerInstanceArns: (query, page) => pageOf([...instances.values()], (ci) => matchesInstance(query, ci), page),

    getTask: (arn) => maybeCopy(tasks.get(arn)),
    putTask: (t) => void tasks.set(t.arn, copy(t)),
    listLiveTasks: (clusterName) => tasksWhere((t) => t.clusterName === clusterName && t.lastStatus !== 'STOPPED'),
    listLiveTasksOn: (instanceArn) => tasksWhere((t) => t.containerInstanceArn === instanceArn && t.lastStatus !== 'STOPPED'),
    pageTaskArns: (query, page) => pageOf([...tasks.values()], (t) => matchesTask(query, t), page),

    nextSeqNum(instanceArn) {
      const next = (seqNums.get(instanceArn) ?? 0) + 1;
      seqNums.set(instanceArn, next);
      return next;
    },
    addPendingPayload(instanceArn, payload) {
      pending.set(instanceArn, [...(pending.get(instanceArn) ?? []), copy(payload)]);
    },
    removePendingPayload(instanceArn, messageId) {
      return removeFirst(pending.get(instanceArn), (p) => p.messageId === messageId);
    },
    listPendingPayloads: (instanceArn) => (pending.get(instanceArn) ?? []).map(copy),

    getCredentialsId: (taskArn, roleType) => credentialIds.get(`${taskArn}|${roleType}`),
    putCredentialsId: (taskArn, roleType, id) => void credentialIds.set(`${taskArn}|${roleType}`, id),
    addPendingCredentials(instanceArn, entry) {
      pendingCredentials.set(instanceArn, [...(pendingCredentials.get(instanceArn) ?? []), copy(entry)]);
    },
    removePendingCredentials(instanceArn, messageId, credentialsId) {
      return removeFirst(pendingCredentials.get(instanceArn), (p) => p.messageId === messageId && (credentialsId === undefined || p.credentialsId === credentialsId));
    },
    listPendingCredentials: (instanceArn) => (pendingCredentials.get(instanceArn) ?? []).map(copy),
    forgetTaskCredentials(instanceArn, taskArn) {
      pendingCredentials.set(instanceArn, (pendingCredentials.get(instanceArn) ?? []).filter((p) => p.taskArn !== taskArn));
      for (const key of [...credentialIds.keys()]) if (key.startsWith(`${taskArn}|`)) credentialIds.delete(key);
    },

    getDocument: <T,>(kind: string, key: string) => maybeCopy(documents.get(`${kind}|${key}`)?.record as T | undefined),
    putDocument(kind, key, parent, record) {
      // Map.set on an existing key keeps its place: a replaced document keeps its creation order.
      documents.set(`${kind}|${key}`, { arn: key, kind, parent, record: copy(record) });
    },
    deleteDocument: (kind, key) => documents.delete(`${kind}|${key}`),
    listDocuments: <T,>(kind: string, parent: string) =>
      [...documents.values()].filter((d) => d.kind === kind && d.parent === parent).map((d) => copy(d.record) as T),
    pageDocumentKeys: (kind, parent, page) =>
      pageOf([...documents.values()].filter((d) => d.kind === kind), (d) => d.parent === parent, page),

    // Nothing of a memory store outlives a crash, so there is nothing to make atomic.
    atomically: (body) => body(),
    close() {},
  };
}

function maybeCopy<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : copy(value);
}

function removeFirst<T>(list: T[] | undefined, match: (item: T) => boolean): boolean {
  const index = list ? list.findIndex(match) : -1;
  if (index < 0) return false;
  list!.splice(index, 1);
  return true;
}
