// CreateCapacityProvider, DescribeCapacityProviders, UpdateCapacityProvider, DeleteCapacityProvider.
// Auto Scaling group providers are kept as documents (kind 'capacityProvider', key = name) with
// their settings as sent plus the defaults ECS documents; FARGATE and FARGATE_SPOT always exist.
// Nothing here talks to Auto Scaling (there is none): deleting completes at once.
import type { AutoScalingGroupProvider, ManagedScaling } from '@aws-sdk/client-ecs';
import { clientError, invalidParameter } from '../errors.ts';
import { SERVICE_KIND, type ServiceRecord } from '../services/records.ts';
import type { ApiContext, Handler, Input } from './context.ts';
import { optList, optObject, optString, optStringList, paginate, reqString } from './input.ts';
import {
  BUILT_IN_CAPACITY_PROVIDERS, CAPACITY_PROVIDER_KIND, type CapacityProviderRecord, capacityProviderArn, capacityProviderName,
  clustersUsing, getCapacityProvider, isBuiltInCapacityProvider,
} from './capacity-provider-rules.ts';
import { readTags } from './tag-rules.ts';

const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const RESERVED_PREFIX = /^(aws|ecs|fargate)/i;
const ASG_ARN = /^arn:[a-z-]+:autoscaling:[a-z0-9-]+:\d{12}:autoScalingGroup:[^:]+:autoScalingGroupName\/.+$/;
const ON_OFF = ['ENABLED', 'DISABLED'];

function integerIn(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`managedScaling.${field} must be an integer from ${min} to ${max}.`);
  }
  return value;
}

/** Managed scaling as ECS answers it: what was sent over what was there, gaps filled with the documented defaults. */
function readManagedScaling(sent: unknown, current: ManagedScaling | undefined): ManagedScaling {
  if (sent !== undefined && sent !== null && (typeof sent !== 'object' || Array.isArray(sent))) throw invalidParameter('managedScaling must be a structure.');
  const s = (sent ?? {}) as Input;
  const status = s.status ?? current?.status ?? 'DISABLED';
  if (typeof status !== 'string' || !ON_OFF.includes(status)) throw invalidParameter(`managedScaling.status must be ENABLED or DISABLED.`);
  const scaling: ManagedScaling = {
    status: status as 'ENABLED' | 'DISABLED',
    targetCapacity: integerIn(s.targetCapacity, 'targetCapacity', 1, 100) ?? current?.targetCapacity ?? 100,
    minimumScalingStepSize: integerIn(s.minimumScalingStepSize, 'minimumScalingStepSize', 1, 10_000) ?? current?.minimumScalingStepSize ?? 1,
    maximumScalingStepSize: integerIn(s.maximumScalingStepSize, 'maximumScalingStepSize', 1, 10_000) ?? current?.maximumScalingStepSize ?? 10_000,
    instanceWarmupPeriod: integerIn(s.instanceWarmupPeriod, 'instanceWarmupPeriod', 0, 10_000) ?? current?.instanceWarmupPeriod ?? 300,
  };
  if (scaling.minimumScalingStepSize! > scaling.maximumScalingStepSize!) {
    throw invalidParameter('managedScaling.minimumScalingStepSize cannot be greater than maximumScalingStepSize.');
  }
  return scaling;
}

function readProvider(sent: Input, current: AutoScalingGroupProvider | undefined): AutoScalingGroupProvider {
  const protection = optString(sent, 'managedTerminationProtection') ?? current?.managedTerminationProtection ?? 'DISABLED';
  if (!ON_OFF.includes(protection)) throw invalidParameter('managedTerminationProtection must be ENABLED or DISABLED.');
  const managedScaling = readManagedScaling(sent.managedScaling, current?.managedScaling);
  if (protection === 'ENABLED' && managedScaling.status !== 'ENABLED') {
    throw invalidParameter('The managed termination protection setting for the capacity provider is invalid. To enable managed termination protection for a capacity provider, the managed scaling setting must also be enabled.');
  }
  return {
    autoScalingGroupArn: current?.autoScalingGroupArn ?? optString(sent, 'autoScalingGroupArn'),
    managedScaling,
    managedTerminationProtection: protection as 'ENABLED' | 'DISABLED',
  };
}

export function capacityProviderView(p: CapacityProviderRecord, includeTags: boolean): Record<string, unknown> {
  return {
    capacityProviderArn: p.arn,
    name: p.name,
    status: p.status,
    autoScalingGroupProvider: p.autoScalingGroupProvider,
    ...(p.updateStatus ? { updateStatus: p.updateStatus } : {}),
    ...(p.updateStatusReason ? { updateStatusReason: p.updateStatusReason } : {}),
    ...(includeTags ? { tags: p.tags } : {}),
  };
}

function builtInView(ctx: ApiContext, name: string): Record<string, unknown> {
  return { capacityProviderArn: capacityProviderArn(ctx, name), name, status: 'ACTIVE', tags: [] };
}

const createCapacityProvider: Handler = (ctx, input) => {
  const name = reqString(input, 'name');
  if (!NAME.test(name)) throw invalidParameter('The capacity provider name can have up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.');
  if (RESERVED_PREFIX.test(name)) throw invalidParameter(`The capacity provider name '${name}' is invalid: names cannot begin with "aws", "ecs" or "fargate".`);
  const sent = optObject<Input>(input, 'autoScalingGroupProvider');
  if (!sent) throw invalidParameter('autoScalingGroupProvider can not be blank.');
  const asgArn = optString(sent, 'autoScalingGroupArn');
  if (!asgArn) throw invalidParameter('autoScalingGroupProvider.autoScalingGroupArn can not be blank.');
  if (!ASG_ARN.test(asgArn)) throw invalidParameter(`'${asgArn}' is not an Auto Scaling group ARN (arn:aws:autoscaling:<region>:<account>:autoScalingGroup:<id>:autoScalingGroupName/<name>).`);
  const tags = readTags(input);
  const existing = getCapacityProvider(ctx, name);
  if (existing?.status === 'ACTIVE') {
    throw clientError('The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.');
  }
  const sameGroup = ctx.store.listDocuments<CapacityProviderRecord>(CAPACITY_PROVIDER_KIND, '')
    .find((p) => p.status === 'ACTIVE' && p.autoScalingGroupProvider.autoScalingGroupArn === asgArn);
  if (sameGroup) throw clientError(`The specified Auto Scaling group ARN is already being used by capacity provider '${sameGroup.name}'.`);
  const record: CapacityProviderRecord = {
    name, arn: capacityProviderArn(ctx, name), status: 'ACTIVE', autoScalingGroupProvider: readProvider(sent, undefined), tags,
  };
  ctx.store.putDocument(CAPACITY_PROVIDER_KIND, name, '', record);
  // Stored and usable in cluster associations, but Dockhand cannot scale anything with it.
  ctx.logger.info({ capacityProvider: name, autoScalingGroupArn: asgArn }, 'capacity provider created (Dockhand has no Auto Scaling: it will launch no instances)');
  return { capacityProvider: capacityProviderView(record, true) };
};

const describeCapacityProviders: Handler = (ctx, input) => {
  const refs = optStringList(input, 'capacityProviders');
  if (refs && refs.length > 100) throw invalidParameter('capacityProviders can have at most 100 items.');
  const includeTags = (optList<string>(input, 'include') ?? []).includes('TAGS');
  const views: Array<Record<string, unknown>> = [];
  const failures: Array<{ arn: string; reason: string }> = [];
  if (refs === undefined || refs.length === 0) {
    for (const name of BUILT_IN_CAPACITY_PROVIDERS) views.push(builtInView(ctx, name));
    for (const p of ctx.store.listDocuments<CapacityProviderRecord>(CAPACITY_PROVIDER_KIND, '')) {
      if (p.status === 'ACTIVE') views.push(capacityProviderView(p, includeTags));
    }
  } else {
    for (const ref of refs) {
      const name = capacityProviderName(ref);
      const p = getCapacityProvider(ctx, name);
      if (isBuiltInCapacityProvider(name)) views.push(builtInView(ctx, name));
      else if (p) views.push(capacityProviderView(p, includeTags));
      else failures.push({ arn: ref.startsWith('arn:') ? ref : capacityProviderArn(ctx, name), reason: 'MISSING' });
    }
  }
  const { page, nextToken } = paginate(views, input, 10);
  return { capacityProviders: page, failures, ...(nextToken ? { nextToken } : {}) };
};

function activeProvider(ctx: ApiContext, ref: string, action: string): CapacityProviderRecord {
  const name = capacityProviderName(ref);
  if (isBuiltInCapacityProvider(name)) throw invalidParameter(`The ${name} capacity provider is built in and cannot be ${action}.`);
  const p = getCapacityProvider(ctx, name);
  if (!p || p.status !== 'ACTIVE') throw clientError(`The specified capacity provider '${name}' does not exist.`);
  return p;
}

const updateCapacityProvider: Handler = (ctx, input) => {
  const current = activeProvider(ctx, reqString(input, 'name'), 'updated');
  const sent = optObject<Input>(input, 'autoScalingGroupProvider');
  if (!sent) throw invalidParameter('autoScalingGroupProvider can not be blank.');
  if (sent.autoScalingGroupArn !== undefined) throw invalidParameter('The Auto Scaling group of a capacity provider cannot be changed; create a new capacity provider instead.');
  const updated: CapacityProviderRecord = {
    ...current, autoScalingGroupProvider: readProvider(sent, current.autoScalingGroupProvider), updateStatus: 'UPDATE_COMPLETE',
  };
  delete updated.updateStatusReason;
  ctx.store.putDocument(CAPACITY_PROVIDER_KIND, current.name, '', updated);
  ctx.logger.info({ capacityProvider: current.name }, 'capacity provider updated');
  return { capacityProvider: capacityProviderView(updated, true) };
};

/** Services (not INACTIVE) whose strategy names the provider. */
function servicesUsing(ctx: ApiContext, name: string): string[] {
  const users: string[] = [];
  for (const c of ctx.store.listClusters()) {
    for (const s of ctx.store.listDocuments<ServiceRecord>(SERVICE_KIND, c.name)) {
      if (s.status !== 'INACTIVE' && (s.capacityProviderStrategy ?? []).some((i) => i.capacityProvider === name)) users.push(`${c.name}/${s.name}`);
    }
  }
  return users;
}

const deleteCapacityProvider: Handler = (ctx, input) => {
  const current = activeProvider(ctx, reqString(input, 'capacityProvider'), 'deleted');
  const services = servicesUsing(ctx, current.name);
  if (services.length > 0) {
    throw clientError(`The capacity provider '${current.name}' is used in the capacity provider strategy of service(s) ${services.join(', ')}; update them first.`);
  }
  const clusters = clustersUsing(ctx, current.name);
  if (clusters.length > 0) {
    throw clientError(`The capacity provider '${current.name}' is associated with cluster(s) ${clusters.map((c) => c.name).join(', ')}. Remove it with PutClusterCapacityProviders (or delete the cluster) before deleting it.`);
  }
  // ECS answers DELETE_IN_PROGRESS and finishes later, after detaching the Auto Scaling group;
  // with no group to detach, the deletion is complete at once.
  const deleted: CapacityProviderRecord = { ...current, status: 'INACTIVE', updateStatus: 'DELETE_COMPLETE' };
  ctx.store.putDocument(CAPACITY_PROVIDER_KIND, current.name, '', deleted);
  ctx.logger.info({ capacityProvider: current.name }, 'capacity provider deleted');
  return { capacityProvider: capacityProviderView(deleted, true) };
};

export const capacityProviderHandlers: Record<string, Handler> = {
  CreateCapacityProvider: createCapacityProvider,
  DescribeCapacityProviders: describeCapacityProviders,
  UpdateCapacityProvider: updateCapacityProvider,
  DeleteCapacityProvider: deleteCapacityProvider,
};
