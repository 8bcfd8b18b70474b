// CreateCluster, DescribeClusters, ListClusters, DeleteCluster. Deleted clusters stay in the
// store as INACTIVE, as in ECS: DescribeClusters still shows them, CreateCluster revives them.
import type { Tag } from '@aws-sdk/client-ecs';
import { clusterArn, clusterName } from '../../protocol/arn.ts';
import { EcsError, clusterNotFound, invalidParameter } from '../errors.ts';
import type { ClusterRecord } from '../model/records.ts';
import type { Handler } from './context.ts';
import { optList, optString, optStringList, paginate } from './input.ts';
import { DEFAULT_CLUSTER, liveTasks } from './resolve.ts';
import { clusterView } from './views.ts';

const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

const createCluster: Handler = (ctx, input) => {
  const name = optString(input, 'clusterName') || DEFAULT_CLUSTER;
  if (!CLUSTER_NAME.test(name)) {
    throw invalidParameter('Cluster name can have up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.');
  }
  const existing = ctx.store.getCluster(name);
  if (existing?.status === 'ACTIVE') return { cluster: clusterView(ctx, existing) }; // idempotent, as ECS
  const cluster: ClusterRecord = {
    name,
    arn: clusterArn(ctx.scope, name),
    status: 'ACTIVE',
    createdAt: ctx.now(),
    tags: optList<Tag>(input, 'tags') ?? [],
    settings: optList<{ name: string; value: string }>(input, 'settings') ?? [{ name: 'containerInsights', value: 'disabled' }],
  };
  ctx.store.putCluster(cluster);
  ctx.logger.info({ cluster: name }, 'cluster created');
  return { cluster: clusterView(ctx, cluster) };
};

const describeClusters: Handler = (ctx, input) => {
  const refs = optStringList(input, 'clusters') ?? [DEFAULT_CLUSTER];
  if (refs.length > 100) throw invalidParameter('clusters can have at most 100 items.');
  const clusters: unknown[] = [];
  const failures: unknown[] = [];
  for (const ref of refs) {
    const c = ctx.store.getCluster(clusterName(ref));
    if (c) clusters.push(clusterView(ctx, c));
    else failures.push({ arn: ref.startsWith('arn:') ? ref : clusterArn(ctx.scope, ref), reason: 'MISSING' });
  }
  return { clusters, failures };
};

const listClusters: Handler = (ctx, input) => {
  const arns = ctx.store.listClusters().filter((c) => c.status === 'ACTIVE').map((c) => c.arn);
  const { page, nextToken } = paginate(arns, input);
  return { clusterArns: page, ...(nextToken ? { nextToken } : {}) };
};

const deleteCluster: Handler = (ctx, input) => {
  const ref = optString(input, 'cluster');
  if (!ref) throw invalidParameter('cluster can not be blank.');
  const cluster = ctx.store.getCluster(clusterName(ref));
  if (!cluster || cluster.status !== 'ACTIVE') throw clusterNotFound();
  if (ctx.store.listContainerInstances(cluster.name).some((ci) => ci.status === 'ACTIVE')) {
    throw new EcsError('ClusterContainsContainerInstancesException', 'The Cluster cannot be deleted while Container Instances are active or draining.');
  }
  if (liveTasks(ctx, cluster.name).length > 0) {
    throw new EcsError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.');
  }
  const inactive: ClusterRecord = { ...cluster, status: 'INACTIVE' };
  ctx.store.putCluster(inactive);
  ctx.logger.info({ cluster: cluster.name }, 'cluster deleted');
  return { cluster: clusterView(ctx, inactive) };
};

export const clusterHandlers: Record<string, Handler> = {
  CreateCluster: createCluster,
  DescribeClusters: describeClusters,
  ListClusters: listClusters,
  DeleteCluster: deleteCluster,
};
