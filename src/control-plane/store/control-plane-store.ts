// The persistence port. Narrow on purpose: whole records in and out, simple look-ups, and the few
// paged queries the List* calls need so that a page costs O(page), not O(every record). No query
// language. Two implementations: memory-store.ts (tests, --ephemeral) and sqlite-store.ts (durable).
// Records crossing the port are copies: mutating what a getter returned never changes the store.
import type {
  ClusterRecord,
  ContainerInstanceRecord,
  PendingCredentials,
  PendingPayload,
  TaskDefinitionRecord,
  TaskRecord,
} from '../model/records.ts';
import type { InstanceQuery, Page, PageRequest, TaskDefinitionQuery, TaskQuery } from './store-queries.ts';

export interface ControlPlaneStore {
  getCluster(name: string): ClusterRecord | undefined;
  putCluster(cluster: ClusterRecord): void;
  /** All clusters, in creation order. */
  listClusters(): ClusterRecord[];

  getTaskDefinition(family: string, revision: number): TaskDefinitionRecord | undefined;
  putTaskDefinition(td: TaskDefinitionRecord): void;
  /** Highest revision ever registered for the family (ACTIVE or not); 0 when none. */
  latestRevision(family: string): number;
  /** ARNs by (family, revision), ascending or descending, one page at a time. */
  pageTaskDefinitionArns(query: TaskDefinitionQuery, page: PageRequest): Page;

  getContainerInstance(arn: string): ContainerInstanceRecord | undefined;
  putContainerInstance(ci: ContainerInstanceRecord): void;
  /** Instances of one cluster, in registration order. */
  listContainerInstances(clusterName: string): ContainerInstanceRecord[];
  /** ARNs of one cluster's instances in registration order, one page at a time. */
  pageContainerInstanceArns(query: InstanceQuery, page: PageRequest): Page;

  getTask(arn: string): TaskRecord | undefined;
  putTask(task: TaskRecord): void;
  /** Tasks of one cluster not yet STOPPED, in creation order. (STOPPED tasks are kept for
   *  DescribeTasks and ListTasks but never read in bulk: they only grow.) */
  listLiveTasks(clusterName: string): TaskRecord[];
  /** Tasks on one instance not yet STOPPED, in creation order: what it holds and runs. */
  listLiveTasksOn(instanceArn: string): TaskRecord[];
  /** ARNs of one cluster's tasks in creation order, filtered as ListTasks filters, one page at a time. */
  pageTaskArns(query: TaskQuery, page: PageRequest): Page;

  /** ACS outbox: the next seqNum for an instance's session (1, 2, 3 …), never reused. */
  nextSeqNum(instanceArn: string): number;
  addPendingPayload(instanceArn: string, payload: PendingPayload): void;
  removePendingPayload(instanceArn: string, messageId: string): boolean;
  /** Unacknowledged payloads, oldest first. */
  listPendingPayloads(instanceArn: string): PendingPayload[];

  /** The credentialsId a task role was given, if any (stable for the task's life). */
  getCredentialsId(taskArn: string, roleType: string): string | undefined;
  putCredentialsId(taskArn: string, roleType: string, credentialsId: string): void;
  addPendingCredentials(instanceArn: string, entry: PendingCredentials): void;
  /** Removes the pending message (matching credentialsId too when given); false when none matched. */
  removePendingCredentials(instanceArn: string, messageId: string, credentialsId: string | undefined): boolean;
  /** Unacknowledged credentials messages, oldest first. */
  listPendingCredentials(instanceArn: string): PendingCredentials[];
  /** The task stopped: its pending credentials and credentialsIds are dropped. */
  forgetTaskCredentials(instanceArn: string, taskArn: string): void;

  /** Documents: the records of the API's other resources (services, task sets, capacity providers,
   *  account settings, custom attributes …), kept whole under (kind, key) and grouped by `parent`
   *  (usually the cluster name; '' for account-wide ones). Each module that owns a kind names it
   *  with a constant of its own; the store does not interpret kinds or records. */
  getDocument<T>(kind: string, key: string): T | undefined;
  /** Inserts or replaces; a replaced document keeps its creation order and may change parent. */
  putDocument<T>(kind: string, key: string, parent: string, record: T): void;
  /** False when there was none. */
  deleteDocument(kind: string, key: string): boolean;
  /** One parent's documents of a kind, in creation order. */
  listDocuments<T>(kind: string, parent: string): T[];
  /** Keys of one parent's documents of a kind in creation order, one page at a time. */
  pageDocumentKeys(kind: string, parent: string, page: PageRequest): Page;

  /** Runs `body` as one unit on disk: a crash (or a throw) inside it leaves none of its writes.
   *  Used where a task record and the ACS payload that carries it must exist together. */
  atomically<T>(body: () => T): T;
  /** Releases the backing file, if any. Idempotent. */
  close(): void;
}
