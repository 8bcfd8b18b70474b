// UpdateCluster, UpdateClusterSettings, PutClusterCapacityProviders: changes to an ACTIVE
// cluster, each answered with the whole cluster.
import type { ClusterRecord } from '../model/records.ts';
import { EcsError, invalidParameter } from '../errors.ts';
import { SERVICE_KIND, type ServiceRecord } from '../services/records.ts';
import { readStrategy, validateClusterProviders } from './capacity-provider-rules.ts';
import { mergeSettings, readClusterConfiguration, readClusterSettings, readServiceConnectDefaults } from './cluster-rules.ts';
import { MUTATION_INCLUDES, clusterView } from './cluster-view.ts';
import type { ApiContext, Handler } from './context.ts';
import { optList, optStringList, reqString } from './input.ts';
import { activeCluster } from './resolve.ts';

function save(ctx: ApiContext, cluster: ClusterRecord, what: string): { cluster: Record<string, unknown> } {
  ctx.store.putCluster(cluster);
  ctx.logger.info({ cluster: cluster.name }, what);
  return { cluster: clusterView(ctx, cluster, MUTATION_INCLUDES) };
}

const updateCluster: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, reqString(input, 'cluster'));
  const settings = readClusterSettings(input);
  const configuration = readClusterConfiguration(input);
  const serviceConnectDefaults = readServiceConnectDefaults(input);
  const updated: ClusterRecord = {
    ...cluster,
    ...(settings ? { settings: mergeSettings(cluster.settings, settings) } : {}),
    // A sent configuration part replaces the stored part of the same name, as ECS does.
    ...(configuration ? { configuration: { ...cluster.configuration, ...configuration } } : {}),
  };
  if (serviceConnectDefaults === null) delete updated.serviceConnectDefaults;
  else if (serviceConnectDefaults) updated.serviceConnectDefaults = serviceConnectDefaults;
  return save(ctx, updated, 'cluster updated');
};

const updateClusterSettings: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, reqString(input, 'cluster'));
  const settings = readClusterSettings(input);
  if (!settings || settings.length === 0) throw invalidParameter('settings can not be empty.');
  return save(ctx, { ...cluster, settings: mergeSettings(cluster.settings, settings) }, 'cluster settings updated');
};

/** A service of this cluster (not INACTIVE) whose strategy names the provider. */
function serviceUsing(ctx: ApiContext, clusterName: string, provider: string): string | undefined {
  return ctx.store.listDocuments<ServiceRecord>(SERVICE_KIND, clusterName)
    .find((s) => s.status !== 'INACTIVE' && (s.capacityProviderStrategy ?? []).some((i) => i.capacityProvider === provider))?.name;
}

const putClusterCapacityProviders: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, reqString(input, 'cluster'));
  const sent = optStringList(input, 'capacityProviders');
  if (sent === undefined) throw invalidParameter('capacityProviders can not be null; pass [] to remove every capacity provider.');
  if (optList(input, 'defaultCapacityProviderStrategy') === undefined) {
    throw invalidParameter('defaultCapacityProviderStrategy can not be null; pass [] for no default strategy.');
  }
  const providers = validateClusterProviders(ctx, cluster.name, sent);
  const strategy = readStrategy(input, 'defaultCapacityProviderStrategy', providers);
  for (const removed of (cluster.capacityProviders ?? []).filter((p) => !providers.includes(p))) {
    const service = serviceUsing(ctx, cluster.name, removed);
    if (service) {
      throw new EcsError('ResourceInUseException', `The capacity provider '${removed}' is in use by service '${service}' and cannot be removed from the cluster.`);
    }
  }
  return save(ctx, { ...cluster, capacityProviders: providers, defaultCapacityProviderStrategy: strategy }, 'cluster capacity providers updated');
};

export const clusterUpdateHandlers: Record<string, Handler> = {
  UpdateCluster: updateCluster,
  UpdateClusterSettings: updateClusterSettings,
  PutClusterCapacityProviders: putClusterCapacityProviders,
};
