// CreateCluster, DescribeClusters, ListClusters, DeleteCluster. Deleted clusters stay in the
// store as INACTIVE, as in ECS: DescribeClusters still shows them, CreateCluster revives them.
// The updating calls (UpdateCluster, UpdateClusterSettings, PutClusterCapacityProviders) are in
// cluster-updates.ts.
import { clusterArn, clusterName } from '../../protocol/arn.ts';
import { EcsError, clusterNotFound, invalidParameter } from '../errors.ts';
import type { ClusterRecord } from '../model/records.ts';
import { SERVICE_KIND, type ServiceRecord } from '../services/records.ts';
import { effectiveSetting } from './account-settings.ts';
import { readStrategy, validateClusterProviders } from './capacity-provider-rules.ts';
import { readClusterConfiguration, readClusterSettings, readServiceConnectDefaults } from './cluster-rules.ts';
import { CLUSTER_INCLUDES, MUTATION_INCLUDES, clusterView } from './cluster-view.ts';
import type { Handler } from './context.ts';
import { optString, optStringList, paginate } from './input.ts';
import { DEFAULT_CLUSTER, liveTasks } from './resolve.ts';
import { readTags } from './tag-rules.ts';

const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

const createCluster: Handler = (ctx, input) => {
  const name = optString(input, 'clusterName') || DEFAULT_CLUSTER;
  if (!CLUSTER_NAME.test(name)) {
    throw invalidParameter('Cluster name can have up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.');
  }
  // Everything is checked before the idempotent answer, so a bad request never passes as a no-op.
  const tags = readTags(input);
  const settings = readClusterSettings(input);
  const configuration = readClusterConfiguration(input);
  const serviceConnectDefaults = readServiceConnectDefaults(input);
  const providers = validateClusterProviders(ctx, name, optStringList(input, 'capacityProviders') ?? []);
  const strategy = readStrategy(input, 'defaultCapacityProviderStrategy', providers);
  const existing = ctx.store.getCluster(name);
  if (existing?.status === 'ACTIVE') return { cluster: clusterView(ctx, existing, MUTATION_INCLUDES) }; // idempotent, as ECS
  const cluster: ClusterRecord = {
    name,
    arn: clusterArn(ctx.scope, name),
    status: 'ACTIVE',
    createdAt: ctx.now(),
    tags,
    // Without a cluster setting, the account's containerInsights setting decides (PutAccountSetting).
    settings: settings ?? [{ name: 'containerInsights', value: effectiveSetting(ctx, 'containerInsights').value }],
    ...(configuration ? { configuration } : {}),
    capacityProviders: providers,
    defaultCapacityProviderStrategy: strategy,
    ...(serviceConnectDefaults ? { serviceConnectDefaults } : {}),
  };
  ctx.store.putCluster(cluster);
  ctx.logger.info({ cluster: name }, 'cluster created');
  return { cluster: clusterView(ctx, cluster, MUTATION_INCLUDES) };
};

const describeClusters: Handler = (ctx, input) => {
  const refs = optStringList(input, 'clusters') ?? [DEFAULT_CLUSTER];
  if (refs.length > 100) throw invalidParameter('clusters can have at most 100 items.');
  const include = optStringList(input, 'include') ?? [];
  const unknown = include.find((i) => !(CLUSTER_INCLUDES as readonly string[]).includes(i));
  if (unknown !== undefined) throw invalidParameter(`Invalid include '${unknown}': use ${CLUSTER_INCLUDES.join(', ')}.`);
  const clusters: unknown[] = [];
  const failures: unknown[] = [];
  for (const ref of refs) {
    const c = ctx.store.getCluster(clusterName(ref));
    if (c) clusters.push(clusterView(ctx, c, new Set(include)));
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
  if (ctx.store.listContainerInstances(cluster.name).some((ci) => ci.status !== 'INACTIVE')) {
    throw new EcsError('ClusterContainsContainerInstancesException', 'The Cluster cannot be deleted while Container Instances are active or draining.');
  }
  if (ctx.store.listDocuments<ServiceRecord>(SERVICE_KIND, cluster.name).some((s) => s.status === 'ACTIVE' || s.status === 'DRAINING')) {
    throw new EcsError('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.');
  }
  if (liveTasks(ctx, cluster.name).length > 0) {
    throw new EcsError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.');
  }
  // Deleting a cluster also ends its capacity provider associations (ECS: "delete the cluster"
  // is one way to free a provider); an INACTIVE cluster associates nothing.
  const inactive: ClusterRecord = { ...cluster, status: 'INACTIVE' };
  ctx.store.putCluster(inactive);
  ctx.logger.info({ cluster: cluster.name }, 'cluster deleted');
  return { cluster: clusterView(ctx, inactive, MUTATION_INCLUDES) };
};

export const clusterHandlers: Record<string, Handler> = {
  CreateCluster: createCluster,
  DescribeClusters: describeClusters,
  ListClusters: listClusters,
  DeleteCluster: deleteCluster,
};
