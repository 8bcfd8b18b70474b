// Turning what callers pass (names, IDs, ARNs, "family:rev") into stored records. ECS accepts a
// short name or a full ARN almost everywhere; the helpers here make every handler accept both.
import { clusterName, containerInstanceArn, parseArn, taskArn } from '../../protocol/arn.ts';
import { clusterNotFound } from '../errors.ts';
import type { ClusterRecord, TaskDefinitionRecord, TaskRecord } from '../model/records.ts';
import type { ApiContext } from './context.ts';

export const DEFAULT_CLUSTER = 'default';

/** An ACTIVE cluster by name or ARN (default: "default"), else ClusterNotFoundException. */
export function activeCluster(ctx: ApiContext, ref: string | undefined): ClusterRecord {
  const cluster = ctx.store.getCluster(clusterName(ref || DEFAULT_CLUSTER));
  if (!cluster || cluster.status !== 'ACTIVE') throw clusterNotFound();
  return cluster;
}

/** "family", "family:rev" or a task-definition ARN. Family alone: its latest ACTIVE revision. */
export function findTaskDefinition(ctx: ApiContext, ref: string): TaskDefinitionRecord | undefined {
  const parsed = parseArn(ref);
  const spec = parsed ? (parsed.resourceType === 'task-definition' ? parsed.resource : '') : ref;
  const colon = spec.lastIndexOf(':');
  if (colon < 0) {
    const family = spec;
    for (let rev = ctx.store.latestRevision(family); rev > 0; rev--) {
      const td = ctx.store.getTaskDefinition(family, rev);
      if (td?.status === 'ACTIVE') return td;
    }
    return undefined;
  }
  const revision = Number(spec.slice(colon + 1));
  if (!Number.isInteger(revision) || revision < 1) return undefined;
  return ctx.store.getTaskDefinition(spec.slice(0, colon), revision);
}

export function toTaskArn(ctx: ApiContext, cluster: ClusterRecord, ref: string): string {
  return parseArn(ref) ? ref : taskArn(ctx.scope, cluster.name, ref);
}

export function toInstanceArn(ctx: ApiContext, cluster: ClusterRecord, ref: string): string {
  return parseArn(ref) ? ref : containerInstanceArn(ctx.scope, cluster.name, ref);
}

/** A task of this cluster by ID or ARN. */
export function findTask(ctx: ApiContext, cluster: ClusterRecord, ref: string): TaskRecord | undefined {
  const task = ctx.store.getTask(toTaskArn(ctx, cluster, ref));
  return task && task.clusterName === cluster.name ? task : undefined;
}

/** Tasks that still hold resources on their instance: anything not yet reported STOPPED. */
export function liveTasks(ctx: ApiContext, clusterName: string): TaskRecord[] {
  return ctx.store.listLiveTasks(clusterName);
}
