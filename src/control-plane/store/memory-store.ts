// In-memory ControlPlaneStore. Maps keep insertion order, which gives the "creation order" the
// port promises. structuredClone on the way in and out keeps callers from sharing state with it.
import type { ControlPlaneStore } from './control-plane-store.ts';
import type {
  ClusterRecord,
  ContainerInstanceRecord,
  PendingPayload,
  TaskDefinitionRecord,
  TaskRecord,
} from '../model/records.ts';

const copy = <T,>(value: T): T => structuredClone(value);

export function createMemoryStore(): ControlPlaneStore {
  const clusters = new Map<string, ClusterRecord>();
  const taskDefinitions = new Map<string, TaskDefinitionRecord>(); // key family:revision
  const instances = new Map<string, ContainerInstanceRecord>();
  const tasks = new Map<string, TaskRecord>();
  const seqNums = new Map<string, number>();
  const pending = new Map<string, PendingPayload[]>();

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
    listTaskDefinitions: () => [...taskDefinitions.values()].map(copy),

    getContainerInstance: (arn) => maybeCopy(instances.get(arn)),
    putContainerInstance: (ci) => void instances.set(ci.arn, copy(ci)),
    listContainerInstances: (clusterName) => [...instances.values()].filter((ci) => ci.clusterName === clusterName).map(copy),

    getTask: (arn) => maybeCopy(tasks.get(arn)),
    putTask: (t) => void tasks.set(t.arn, copy(t)),
    listTasks: (clusterName) => [...tasks.values()].filter((t) => t.clusterName === clusterName).map(copy),

    nextSeqNum(instanceArn) {
      const next = (seqNums.get(instanceArn) ?? 0) + 1;
      seqNums.set(instanceArn, next);
      return next;
    },
    addPendingPayload(instanceArn, payload) {
      const list = pending.get(instanceArn) ?? [];
      list.push(copy(payload));
      pending.set(instanceArn, list);
    },
    removePendingPayload(instanceArn, messageId) {
      const list = pending.get(instanceArn) ?? [];
      const index = list.findIndex((p) => p.messageId === messageId);
      if (index < 0) return false;
      list.splice(index, 1);
      return true;
    },
    listPendingPayloads: (instanceArn) => (pending.get(instanceArn) ?? []).map(copy),
  };
}

function maybeCopy<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : copy(value);
}
