// PutAttributes, ListAttributes, DeleteAttributes: custom attributes on container instances.
// They live as 'attribute' documents (key `${instanceArn}|${name}`, parent the cluster), apart
// from the record the agent's registrations rewrite, so an agent restart never drops them; the
// placement index overlays them on the instance's own attributes, so memberOf expressions,
// spread fields and requiresAttributes all see them.
import type { Attribute } from '@aws-sdk/client-ecs';
import { parseArn } from '../../protocol/arn.ts';
import { EcsError, invalidParameter } from '../errors.ts';
import type { ClusterRecord, ContainerInstanceRecord } from '../model/records.ts';
import { ATTRIBUTE_KIND, attributeKey, type CustomAttributeRecord } from '../scheduler/placement-index.ts';
import type { ApiContext, Handler, Input } from './context.ts';
import { effectiveAttributes, indexOf } from './instance-facts.ts';
import { optList, optString, paginate } from './input.ts';
import { activeCluster, toInstanceArn } from './resolve.ts';

const TARGET_TYPE = 'container-instance';
const MAX_PER_CALL = 10;
const MAX_CUSTOM_PER_TARGET = 10;
const NAME = /^[A-Za-z0-9_./\\-]{1,128}$/;
const VALUE = /^[A-Za-z0-9_.@/\\: -]{1,128}$/;
/** Names ECS and its agent give meaning to (capabilities, platform facts): a custom attribute
 *  with one of them would make placement trust a capability the agent never advertised. */
const RESERVED = ['ecs.', 'com.amazonaws.ecs.'];

const targetNotFound = (id: string) => new EcsError('TargetNotFoundException', `Could not find the target '${id}' in this cluster.`);

function readAttributes(input: Input): Attribute[] {
  const list = optList<unknown>(input, 'attributes') ?? [];
  if (list.length === 0) throw invalidParameter('attributes can not be empty.');
  if (list.length > MAX_PER_CALL) throw invalidParameter(`attributes can have at most ${MAX_PER_CALL} items; got ${list.length}.`);
  return list.map((a, i) => {
    if (typeof a !== 'object' || a === null || Array.isArray(a)) throw invalidParameter(`attributes[${i}] must be an object.`);
    for (const key of ['name', 'value', 'targetType', 'targetId'] as const) {
      const v = (a as Record<string, unknown>)[key];
      if (v !== undefined && v !== null && typeof v !== 'string') throw invalidParameter(`attributes[${i}].${key} must be a string.`);
    }
    return a as Attribute;
  });
}

function checkName(a: Attribute, i: number): string {
  const name = a.name ?? '';
  if (!NAME.test(name)) {
    throw invalidParameter(`attributes[${i}].name '${name}' is invalid: 1 to 128 letters, numbers, hyphens, underscores, slashes, back slashes or periods.`);
  }
  return name;
}

/** The instance an attribute targets: a full ARN, or a short ID with targetType. */
function resolveTarget(ctx: ApiContext, cluster: ClusterRecord, a: Attribute, i: number): ContainerInstanceRecord {
  if (a.targetType !== undefined && a.targetType !== null && a.targetType !== TARGET_TYPE) {
    throw invalidParameter(`attributes[${i}].targetType must be ${TARGET_TYPE}, not '${a.targetType}'.`);
  }
  const id = a.targetId ?? '';
  if (id === '') throw invalidParameter(`attributes[${i}].targetId can not be blank.`);
  const arn = parseArn(id);
  if (!arn && a.targetType !== TARGET_TYPE) throw invalidParameter(`attributes[${i}]: a short targetId needs targetType ${TARGET_TYPE}.`);
  if (arn && arn.resourceType !== TARGET_TYPE) throw targetNotFound(id);
  const ci = ctx.store.getContainerInstance(toInstanceArn(ctx, cluster, id));
  if (!ci || ci.clusterName !== cluster.name || ci.status === 'INACTIVE') throw targetNotFound(id);
  return ci;
}

const echo = (a: Attribute, ci: ContainerInstanceRecord, value: string | undefined): Attribute => ({
  name: a.name!, ...(value !== undefined ? { value } : {}), targetType: TARGET_TYPE, targetId: ci.arn,
});

const putAttributes: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const changes = readAttributes(input).map((a, i) => {
    const name = checkName(a, i);
    if (RESERVED.some((p) => name.startsWith(p))) throw invalidParameter(`attributes[${i}].name '${name}' is reserved for attributes Amazon ECS and its agent set.`);
    const value = a.value ?? undefined;
    if (value !== undefined && (!VALUE.test(value) || value.trim() !== value)) {
      throw invalidParameter(`attributes[${i}].value '${value}' is invalid: 1 to 128 letters, numbers, hyphens, underscores, periods, @, slashes, back slashes, colons or inner spaces.`);
    }
    return { a, name, value, ci: resolveTarget(ctx, cluster, a, i) };
  });
  // Checked for every target before anything is written: a refused call changes nothing.
  const names = new Map<string, Set<string>>();
  for (const c of changes) {
    const set = names.get(c.ci.arn) ?? new Set(indexOf(ctx).customAttributesOf(c.ci.arn).map((x) => x.name ?? ''));
    set.add(c.name);
    names.set(c.ci.arn, set);
    if (set.size > MAX_CUSTOM_PER_TARGET) {
      throw new EcsError('AttributeLimitExceededException', `Container instance ${c.ci.arn} can have at most ${MAX_CUSTOM_PER_TARGET} custom attributes.`);
    }
  }
  ctx.store.atomically(() => {
    for (const c of changes) {
      const record: CustomAttributeRecord = { targetId: c.ci.arn, name: c.name, ...(c.value !== undefined ? { value: c.value } : {}) };
      ctx.store.putDocument(ATTRIBUTE_KIND, attributeKey(c.ci.arn, c.name), cluster.name, record);
    }
  });
  ctx.logger.info({ cluster: cluster.name, attributes: changes.map((c) => ({ target: c.ci.arn, name: c.name })) }, 'attributes put');
  return { attributes: changes.map((c) => echo(c.a, c.ci, c.value)) };
};

const deleteAttributes: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const targets = readAttributes(input).map((a, i) => ({ a, name: checkName(a, i), ci: resolveTarget(ctx, cluster, a, i) }));
  // Deleting an attribute that is not set is not an error (the call is idempotent).
  ctx.store.atomically(() => {
    for (const t of targets) ctx.store.deleteDocument(ATTRIBUTE_KIND, attributeKey(t.ci.arn, t.name));
  });
  ctx.logger.info({ cluster: cluster.name, attributes: targets.map((t) => ({ target: t.ci.arn, name: t.name })) }, 'attributes deleted');
  return { attributes: targets.map((t) => echo(t.a, t.ci, undefined)) };
};

const listAttributes: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const targetType = optString(input, 'targetType');
  if (!targetType) throw invalidParameter('targetType can not be blank.');
  if (targetType !== TARGET_TYPE) throw invalidParameter(`targetType must be ${TARGET_TYPE}, not '${targetType}'.`);
  const name = optString(input, 'attributeName');
  const value = optString(input, 'attributeValue');
  if (value !== undefined && name === undefined) throw invalidParameter('attributeValue needs attributeName too.');
  const all: Attribute[] = [];
  for (const ci of indexOf(ctx).instancesOf(cluster.name)) {
    if (ci.status === 'INACTIVE') continue;
    for (const a of effectiveAttributes(ctx, ci)) {
      if (name !== undefined && a.name !== name) continue;
      if (value !== undefined && a.value !== value) continue;
      all.push({ name: a.name!, ...(a.value !== undefined ? { value: a.value } : {}), targetType: TARGET_TYPE, targetId: ci.arn });
    }
  }
  const { page, nextToken } = paginate(all, input);
  return { attributes: page, ...(nextToken ? { nextToken } : {}) };
};

export const attributeHandlers: Record<string, Handler> = {
  PutAttributes: putAttributes,
  ListAttributes: listAttributes,
  DeleteAttributes: deleteAttributes,
};
