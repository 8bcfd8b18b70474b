// RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions, DeregisterTaskDefinition.
// A definition is stored as sent (minus tags), so DescribeTaskDefinition gives back every field;
// only task-level cpu/memory are normalised ("1 vCPU" → "1024"), as ECS does.
import type { ContainerDefinition, Tag } from '@aws-sdk/client-ecs';
import { taskDefinitionArn } from '../../protocol/arn.ts';
import { clientError, invalidParameter } from '../errors.ts';
import { parseCpuUnits, parseMemoryMiB } from '../model/effective-definition.ts';
import type { TaskDefinitionBody, TaskDefinitionRecord } from '../model/records.ts';
import type { Handler, Input } from './context.ts';
import { optList, optString, pageNextToken, readPageRequest, reqString } from './input.ts';
import { findTaskDefinition } from './resolve.ts';
import { taskDefinitionView } from './views.ts';

const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

function validate(input: Input): TaskDefinitionBody {
  const family = optString(input, 'family') ?? '';
  if (!FAMILY.test(family)) {
    throw clientError('Family must be 1-255 characters long and contain only letters (uppercase and lowercase), numbers, hyphens, and underscores.');
  }
  const containers = optList<ContainerDefinition>(input, 'containerDefinitions') ?? [];
  if (containers.length === 0) throw clientError('Container list cannot be empty.');
  const taskMemory = parseMemoryMiB(optString(input, 'memory'));
  if (optString(input, 'memory') !== undefined && taskMemory === undefined) throw clientError('Invalid \'memory\' setting for task.');
  const cpu = optString(input, 'cpu');
  if (cpu !== undefined && parseCpuUnits(cpu) === undefined) throw clientError('Invalid \'cpu\' setting for task.');
  const networkMode = optString(input, 'networkMode');
  if (networkMode !== undefined && !['bridge', 'host', 'awsvpc', 'none'].includes(networkMode)) {
    throw clientError(`Invalid networkMode '${networkMode}'.`);
  }
  const names = new Set<string>();
  for (const c of containers) {
    if (typeof c !== 'object' || c === null) throw clientError('Container definitions must be structures.');
    if (!c.name) throw clientError('Container.name should not be null or empty.');
    if (!CONTAINER_NAME.test(c.name)) throw clientError(`Invalid container name '${c.name}': up to 255 letters, numbers, hyphens, and underscores are allowed.`);
    if (names.has(c.name)) throw clientError(`Duplicate container name '${c.name}'.`);
    names.add(c.name);
    if (!c.image) throw clientError('Container.image should not be null or empty.');
    if (c.memory === undefined && c.memoryReservation === undefined && taskMemory === undefined) {
      throw clientError(`Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`);
    }
    if (c.memory !== undefined && c.memoryReservation !== undefined && c.memory < c.memoryReservation) {
      throw clientError(`Invalid setting for container '${c.name}'. 'memory' must be greater than or equal to 'memoryReservation'.`);
    }
  }
  const { tags: _tags, ...rest } = input;
  const cpuUnits = parseCpuUnits(cpu);
  return {
    ...rest,
    family,
    containerDefinitions: containers,
    ...(cpuUnits !== undefined ? { cpu: String(cpuUnits) } : {}),
    ...(taskMemory !== undefined ? { memory: String(taskMemory) } : {}),
  };
}

const registerTaskDefinition: Handler = (ctx, input) => {
  const definition = validate(input);
  const revision = ctx.store.latestRevision(definition.family) + 1;
  const tags = optList<Tag>(input, 'tags') ?? [];
  const td: TaskDefinitionRecord = {
    arn: taskDefinitionArn(ctx.scope, definition.family, revision),
    family: definition.family,
    revision,
    status: 'ACTIVE',
    registeredAt: ctx.now(),
    tags,
    definition,
  };
  ctx.store.putTaskDefinition(td);
  ctx.logger.info({ taskDefinition: td.arn }, 'task definition registered');
  return { taskDefinition: taskDefinitionView(td), tags };
};

const describeTaskDefinition: Handler = (ctx, input) => {
  const td = findTaskDefinition(ctx, reqString(input, 'taskDefinition'));
  if (!td) throw clientError('Unable to describe task definition.');
  const include = optList<string>(input, 'include') ?? [];
  return { taskDefinition: taskDefinitionView(td), ...(include.includes('TAGS') ? { tags: td.tags } : {}) };
};

const listTaskDefinitions: Handler = (ctx, input) => {
  const prefix = optString(input, 'familyPrefix');
  const status = optString(input, 'status') ?? 'ACTIVE';
  if (!['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'].includes(status)) throw invalidParameter(`Invalid status '${status}'.`);
  const sort = optString(input, 'sort') ?? 'ASC';
  if (sort !== 'ASC' && sort !== 'DESC') throw invalidParameter(`Invalid sort '${sort}'.`);
  // ECS treats familyPrefix as a whole family name despite its name.
  const query = { status, ...(prefix !== undefined ? { family: prefix } : {}), descending: sort === 'DESC' };
  const page = ctx.store.pageTaskDefinitionArns(query, readPageRequest(input));
  return { taskDefinitionArns: page.arns, ...pageNextToken(page) };
};

const deregisterTaskDefinition: Handler = (ctx, input) => {
  const ref = reqString(input, 'taskDefinition');
  if (!/:\d+$/.test(ref)) throw clientError('Invalid revision number. A revision is required to deregister a task definition.');
  const td = findTaskDefinition(ctx, ref);
  if (!td) throw clientError('The specified task definition does not exist.');
  if (td.status === 'ACTIVE') {
    td.status = 'INACTIVE';
    td.deregisteredAt = ctx.now();
    ctx.store.putTaskDefinition(td);
  }
  return { taskDefinition: taskDefinitionView(td) };
};

export const taskDefinitionHandlers: Record<string, Handler> = {
  RegisterTaskDefinition: registerTaskDefinition,
  DescribeTaskDefinition: describeTaskDefinition,
  ListTaskDefinitions: listTaskDefinitions,
  DeregisterTaskDefinition: deregisterTaskDefinition,
};
