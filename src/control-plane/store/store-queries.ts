// The paged queries of the store port, and their meaning as plain predicates. The memory store
// runs the predicates over its maps; the SQLite store says the same in SQL (and must agree: the
// store-level tests run both). A page continues after a cursor, the ARN of the previous page's
// last item, so pages stay stable while records are added (keyset paging, no offsets).
import type { ContainerInstanceRecord, TaskDefinitionRecord, TaskRecord } from '../model/records.ts';

export interface PageRequest {
  /** At most this many items (ECS maxResults: 1..100). */
  limit: number;
  /** The `after` of the previous page; absent for the first page. */
  after?: string;
}

export interface Page {
  arns: string[];
  /** Present when more items follow: pass it as the next request's `after`. */
  after?: string;
}

/** ListTasks: PENDING means "lastStatus PENDING and desired RUNNING", as ECS filters it. */
export interface TaskQuery {
  clusterName: string;
  desiredStatus: 'RUNNING' | 'PENDING' | 'STOPPED';
  containerInstanceArn?: string;
  family?: string;
  startedBy?: string;
  launchType?: string;
  /** ListTasks serviceName: the task's group, `service:<name>` for a service's tasks. */
  group?: string;
}

/** ListContainerInstances: without a status, every instance that is not INACTIVE. */
export interface InstanceQuery {
  clusterName: string;
  status?: string;
}

/** ListTaskDefinitions: `family` is an exact family name (ECS's familyPrefix acts as one). */
export interface TaskDefinitionQuery {
  status: string;
  family?: string;
  descending: boolean;
}

/** "arn:…:task-definition/web:3" → "web". */
export function familyOfTaskDefinitionArn(taskDefinitionArn: string): string {
  const spec = taskDefinitionArn.slice(taskDefinitionArn.lastIndexOf('/') + 1);
  return spec.slice(0, spec.lastIndexOf(':'));
}

export function matchesTask(q: TaskQuery, t: TaskRecord): boolean {
  const desired = q.desiredStatus === 'PENDING' ? t.lastStatus === 'PENDING' && t.desiredStatus === 'RUNNING' : t.desiredStatus === q.desiredStatus;
  return t.clusterName === q.clusterName && desired &&
    (q.containerInstanceArn === undefined || t.containerInstanceArn === q.containerInstanceArn) &&
    (q.family === undefined || familyOfTaskDefinitionArn(t.taskDefinitionArn) === q.family) &&
    (q.startedBy === undefined || t.startedBy === q.startedBy) &&
    (q.launchType === undefined || t.launchType === q.launchType) &&
    (q.group === undefined || t.group === q.group);
}

export function matchesInstance(q: InstanceQuery, ci: ContainerInstanceRecord): boolean {
  return ci.clusterName === q.clusterName && (q.status !== undefined ? ci.status === q.status : ci.status !== 'INACTIVE');
}

export function matchesTaskDefinition(q: TaskDefinitionQuery, td: TaskDefinitionRecord): boolean {
  return td.status === q.status && (q.family === undefined || td.family === q.family);
}

/** Orders by (family, revision), the order ListTaskDefinitions answers in. */
export function compareTaskDefinitions(a: TaskDefinitionRecord, b: TaskDefinitionRecord): number {
  return a.family === b.family ? a.revision - b.revision : a.family < b.family ? -1 : 1;
}

/**
 * One page from records in listing order (the memory store's way). The cursor is located among
 * all records, not only the matching ones, so a record that stopped matching between two pages
 * (a task that was stopped meanwhile) does not lose the caller's place; SQL keyset paging agrees.
 */
export function pageOf<T extends { arn: string }>(ordered: T[], matches: (item: T) => boolean, page: PageRequest): Page {
  let start = 0;
  if (page.after !== undefined) {
    const at = ordered.findIndex((item) => item.arn === page.after);
    // An unknown cursor (never issued here) yields nothing rather than restarting the listing.
    if (at < 0) return { arns: [] };
    start = at + 1;
  }
  const arns: string[] = [];
  for (let i = start; i < ordered.length; i++) {
    if (!matches(ordered[i]!)) continue;
    if (arns.length === page.limit) return { arns, after: arns[arns.length - 1]! };
    arns.push(ordered[i]!.arn);
  }
  return { arns };
}
