// Capacity providers as records, and the rules for capacity provider strategies (CreateCluster,
// PutClusterCapacityProviders, RunTask, CreateService). Dockhand has neither Fargate nor Auto
// Scaling groups: providers and strategies are stored and validated as ECS does, but no task can
// be launched through one, and RunTask says so instead of pretending.
import type { AutoScalingGroupProvider, CapacityProviderStrategyItem, Tag } from '@aws-sdk/client-ecs';
import { EcsError, invalidParameter } from '../errors.ts';
import type { ClusterRecord } from '../model/records.ts';
import type { ApiContext, Input } from './context.ts';
import { optList, optString } from './input.ts';

/** Store document kind; key = provider name, parent = ''. */
export const CAPACITY_PROVIDER_KIND = 'capacityProvider';

export interface CapacityProviderRecord {
  name: string;
  arn: string;
  status: 'ACTIVE' | 'INACTIVE';
  autoScalingGroupProvider: AutoScalingGroupProvider;
  updateStatus?: string;
  updateStatusReason?: string;
  tags: Tag[];
}

/** Available to every account without being created (ECS's Fargate providers). */
export const BUILT_IN_CAPACITY_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'] as const;
export const isBuiltInCapacityProvider = (name: string): boolean => (BUILT_IN_CAPACITY_PROVIDERS as readonly string[]).includes(name);

export const capacityProviderArn = (ctx: ApiContext, name: string): string =>
  `arn:${ctx.scope.partition ?? 'aws'}:ecs:${ctx.scope.region}:${ctx.scope.accountId}:capacity-provider/${name}`;

/** "name" or a capacity-provider ARN → the short name. */
export function capacityProviderName(ref: string): string {
  const marker = ':capacity-provider/';
  const at = ref.indexOf(marker);
  return ref.startsWith('arn:') && at > 0 ? ref.slice(at + marker.length) : ref;
}

export function getCapacityProvider(ctx: ApiContext, name: string): CapacityProviderRecord | undefined {
  return ctx.store.getDocument<CapacityProviderRecord>(CAPACITY_PROVIDER_KIND, name);
}

/** Whether a provider can be associated with a cluster or used in a strategy. */
function isUsable(ctx: ApiContext, name: string): boolean {
  return isBuiltInCapacityProvider(name) || getCapacityProvider(ctx, name)?.status === 'ACTIVE';
}

/** The ACTIVE clusters a provider is associated with. */
export function clustersUsing(ctx: ApiContext, name: string): ClusterRecord[] {
  return ctx.store.listClusters().filter((c) => c.status === 'ACTIVE' && (c.capacityProviders ?? []).includes(name));
}

/**
 * A cluster's capacityProviders: every one must exist (or be FARGATE/FARGATE_SPOT), appear once,
 * and an Auto Scaling group provider may belong to one cluster only.
 */
export function validateClusterProviders(ctx: ApiContext, clusterName: string, names: string[]): string[] {
  const seen = new Set<string>();
  for (const ref of names) {
    const name = capacityProviderName(ref);
    if (!isUsable(ctx, name)) {
      throw invalidParameter(`The specified capacity provider '${name}' is not in an ACTIVE state. Specify a valid capacity provider and try again.`);
    }
    if (seen.has(name)) throw invalidParameter(`The capacity provider '${name}' is listed more than once.`);
    seen.add(name);
    const other = isBuiltInCapacityProvider(name) ? undefined : clustersUsing(ctx, name).find((c) => c.name !== clusterName);
    if (other) throw invalidParameter(`The capacity provider '${name}' is already associated with cluster '${other.name}'; an Auto Scaling group capacity provider can belong to one cluster only.`);
  }
  return [...seen];
}

const MAX_WEIGHT = 1000;
const MAX_BASE = 100_000;
const MAX_STRATEGY_ITEMS = 20;

/** Reads a strategy (list of {capacityProvider, weight, base}) whose providers must all be in `associated`. */
export function readStrategy(input: Input, field: string, associated: string[]): CapacityProviderStrategyItem[] {
  const items = optList<unknown>(input, field) ?? [];
  if (items.length > MAX_STRATEGY_ITEMS) throw invalidParameter(`${field} can have at most ${MAX_STRATEGY_ITEMS} capacity providers.`);
  const strategy: CapacityProviderStrategyItem[] = [];
  for (const raw of items) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidParameter(`Each item of ${field} must be a structure.`);
    const item = raw as Input;
    const provider = optString(item, 'capacityProvider');
    if (!provider) throw invalidParameter(`${field}: capacityProvider can not be blank.`);
    const name = capacityProviderName(provider);
    const weight = item.weight ?? 0;
    const base = item.base ?? 0;
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
      throw invalidParameter(`${field}: the weight of '${name}' must be an integer from 0 to ${MAX_WEIGHT}.`);
    }
    if (typeof base !== 'number' || !Number.isInteger(base) || base < 0 || base > MAX_BASE) {
      throw invalidParameter(`${field}: the base of '${name}' must be an integer from 0 to ${MAX_BASE}.`);
    }
    if (strategy.some((s) => s.capacityProvider === name)) throw invalidParameter(`${field}: the capacity provider '${name}' appears more than once.`);
    if (!associated.includes(name)) {
      throw invalidParameter(`The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster ('${name}'). Associate the capacity provider with the cluster or specify a valid capacity provider and try again.`);
    }
    strategy.push({ capacityProvider: name, ...(item.weight !== undefined ? { weight } : {}), ...(item.base !== undefined ? { base } : {}) });
  }
  if (strategy.filter((s) => (s.base ?? 0) > 0).length > 1) throw invalidParameter(`${field}: only one capacity provider in a strategy can have a base.`);
  if (strategy.length > 0 && !strategy.some((s) => (s.weight ?? 0) > 0)) {
    throw invalidParameter(`${field}: at least one capacity provider must have a weight greater than 0.`);
  }
  const fargate = strategy.filter((s) => isBuiltInCapacityProvider(s.capacityProvider!)).length;
  if (fargate > 0 && fargate < strategy.length) {
    throw invalidParameter(`${field}: a strategy cannot mix the FARGATE/FARGATE_SPOT capacity providers with Auto Scaling group capacity providers.`);
  }
  return strategy;
}

/**
 * RunTask's capacity provider check. A task launched through a strategy (its own, or the
 * cluster's default when neither launchType nor strategy is given, as ECS does) would need
 * Fargate or an Auto Scaling group, and Dockhand has neither: refuse with what to do instead.
 */
export function refuseCapacityProviderLaunch(cluster: ClusterRecord, input: Input): void {
  const own = optList<unknown>(input, 'capacityProviderStrategy') ?? [];
  const launchType = optString(input, 'launchType');
  if (own.length > 0 && launchType !== undefined) {
    throw invalidParameter('Specifying both a launchType and capacityProviderStrategy is not supported.');
  }
  const strategy = own.length > 0
    ? readStrategy(input, 'capacityProviderStrategy', cluster.capacityProviders ?? [])
    : launchType === undefined ? (cluster.defaultCapacityProviderStrategy ?? []) : [];
  if (strategy.length === 0) return;
  const names = strategy.map((s) => s.capacityProvider!).join(', ');
  const source = own.length > 0 ? 'capacityProviderStrategy' : `the default capacity provider strategy of cluster ${cluster.name}`;
  const why = strategy.some((s) => isBuiltInCapacityProvider(s.capacityProvider!))
    ? 'Dockhand has no Fargate capacity'
    : 'Dockhand has no Auto Scaling groups, so a capacity provider never has instances of its own';
  throw new EcsError('UnsupportedFeatureException',
    `Cannot launch through ${source} (${names}): ${why}. Run the task on the cluster's registered container instances with launchType EC2 or EXTERNAL instead.`);
}
