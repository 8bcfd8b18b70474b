// The persistence port. Narrow on purpose: whole records in and out, simple look-ups, no query
// language. The memory store implements it today; a SQLite store will implement the same methods.
// Records crossing the port are copies: mutating what a getter returned never changes the store.
import type {
  ClusterRecord,
  ContainerInstanceRecord,
  PendingPayload,
  TaskDefinitionRecord,
  TaskRecord,
} from '../model/records.ts';

export interface ControlPlaneStore {
  getCluster(name: string): ClusterRecord | undefined;
  putCluster(cluster: ClusterRecord): void;
  /** All clusters, in creation order. */
  listClusters(): ClusterRecord[];

  getTaskDefinition(family: string, revision: number): TaskDefinitionRecord | undefined;
  putTaskDefinition(td: TaskDefinitionRecord): void;
  /** Highest revision ever registered for the family (ACTIVE or not); 0 when none. */
  latestRevision(family: string): number;
  listTaskDefinitions(): TaskDefinitionRecord[];

  getContainerInstance(arn: string): ContainerInstanceRecord | undefined;
  putContainerInstance(ci: ContainerInstanceRecord): void;
  /** Instances of one cluster, in registration order. */
  listContainerInstances(clusterName: string): ContainerInstanceRecord[];

  getTask(arn: string): TaskRecord | undefined;
  putTask(task: TaskRecord): void;
  /** Tasks of one cluster, in creation order. */
  listTasks(clusterName: string): TaskRecord[];

  /** ACS outbox: the next seqNum for an instance's session (1, 2, 3 …), never reused. */
  nextSeqNum(instanceArn: string): number;
  addPendingPayload(instanceArn: string, payload: PendingPayload): void;
  removePendingPayload(instanceArn: string, messageId: string): boolean;
  /** Unacknowledged payloads, oldest first. */
  listPendingPayloads(instanceArn: string): PendingPayload[];
}
