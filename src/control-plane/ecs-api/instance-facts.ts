// A container instance as placement and the cluster query language see it, read from the
// placement index (no store reads): its attributes (the agent's, overlaid with the custom ones
// PutAttributes set), what its live tasks hold and its task groups.
import type { Attribute } from '@aws-sdk/client-ecs';
import type { ContainerInstanceRecord } from '../model/records.ts';
import type { PlacementCandidate } from '../scheduler/placement.ts';
import { placementIndexOf, type InstanceUsage, type PlacementIndex } from '../scheduler/placement-index.ts';
import type { QueryFacts } from '../scheduler/query-eval.ts';
import type { ApiContext } from './context.ts';

export const indexOf = (ctx: ApiContext): PlacementIndex => placementIndexOf(ctx.store);

/** Per instance record (the index replaces the record on every change) and custom attribute
 *  list (replaced on every PutAttributes/DeleteAttributes): its attributes and their names, so a
 *  placement over hundreds of instances does not rebuild them each time. */
const attributeCache = new WeakMap<ContainerInstanceRecord, { custom: readonly Attribute[]; attributes: Attribute[]; names: string[] }>();

function attributesOf(ctx: ApiContext, ci: ContainerInstanceRecord): { attributes: Attribute[]; names: string[] } {
  const custom = indexOf(ctx).customAttributesOf(ci.arn);
  const cached = attributeCache.get(ci);
  if (cached && cached.custom === custom) return cached;
  const overlaid = new Set(custom.map((a) => a.name));
  const attributes = custom.length === 0 ? ci.attributes
    : [...ci.attributes.filter((a) => !overlaid.has(a.name)), ...custom.map(({ name, value }) => ({ name, ...(value !== undefined ? { value } : {}) }))];
  const entry = { custom, attributes, names: attributes.map((a) => a.name ?? '') };
  attributeCache.set(ci, entry);
  return entry;
}

/** The instance's attributes as DescribeContainerInstances shows them: a custom attribute
 *  replaces a registered one of the same name. Shared: do not mutate. */
export const effectiveAttributes = (ctx: ApiContext, ci: ContainerInstanceRecord): Attribute[] => attributesOf(ctx, ci).attributes;

/** An instance is connected when its ACS session is up and it is still registered. */
export const agentConnected = (ctx: ApiContext, ci: ContainerInstanceRecord): boolean => ci.status !== 'INACTIVE' && ctx.acs.isConnected(ci.arn);

export function queryFactsOf(ctx: ApiContext, ci: ContainerInstanceRecord, usage: InstanceUsage = indexOf(ctx).usageOf(ci.arn)): QueryFacts {
  return {
    attributes: effectiveAttributes(ctx, ci),
    ec2InstanceId: ci.ec2InstanceId,
    agentConnected: agentConnected(ctx, ci),
    ...(ci.versionInfo?.agentVersion ? { agentVersion: ci.versionInfo.agentVersion } : {}),
    registeredAt: ci.registeredAt,
    runningTasksCount: usage.runningTasksCount,
    taskGroups: { [Symbol.iterator]: () => usage.groups.keys() }, // re-iterable, no copy
  };
}

/** The instance as placement sees it. `withFacts`: also what memberOf expressions and attribute
 *  spreads read (skipped otherwise: RunTask over hundreds of instances builds it for each). */
export function candidateFor(ctx: ApiContext, ci: ContainerInstanceRecord, withFacts = true): PlacementCandidate {
  const usage = indexOf(ctx).usageOf(ci.arn);
  return {
    arn: ci.arn,
    registeredResources: ci.registeredResources,
    connected: agentConnected(ctx, ci),
    reserved: [usage.used],
    attributes: attributesOf(ctx, ci).names,
    ...(withFacts ? { facts: queryFactsOf(ctx, ci, usage) } : {}),
    groups: usage.groups,
  };
}
