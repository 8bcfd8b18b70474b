// RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions, ListTaskDefinitionFamilies,
// DeregisterTaskDefinition. (The reference API has no DeleteTaskDefinitions: INACTIVE definitions stay.)
// A definition is stored as sent (minus tags), so DescribeTaskDefinition gives back every field;
// only task-level cpu/memory are normalised ("1 vCPU" → "1024"), as ECS does.
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { taskDefinitionArn } from '../../protocol/arn.ts';
import { clientError, invalidParameter } from '../errors.ts';
import { parseCpuUnits, parseMemoryMiB } from '../model/effective-definition.ts';
import type { TaskDefinitionBody, TaskDefinitionRecord } from '../model/records.ts';
import { familyOfTaskDefinitionArn } from '../store/store-queries.ts';
import { rootPrincipal } from './account-settings.ts';
import { checkContainerEnums } from './container-definition-rules.ts';
import type { ApiContext, Handler, Input } from './context.ts';
import { optList, optString, optStringList, pageNextToken, paginate, readPageRequest, reqString } from './input.ts';
import { findTaskDefinition } from './resolve.ts';
import { readTags } from './tag-rules.ts';
import { taskDefinitionView } from './views.ts';

/** The definition as ECS answers it; registeredBy is the root user (there is no IAM here). */
const view = (ctx: ApiContext, td: TaskDefinitionRecord) => ({ ...taskDefinitionView(td), registeredBy: rootPrincipal(ctx) });

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
  const pidMode = optString(input, 'pidMode');
  if (pidMode !== undefined && pidMode !== 'host' && pidMode !== 'task') throw clientError(`Invalid pidMode '${pidMode}': use host or task.`);
  const ipcMode = optString(input, 'ipcMode');
  if (ipcMode !== undefined && !['host', 'task', 'none'].includes(ipcMode)) throw clientError(`Invalid ipcMode '${ipcMode}': use host, task or none.`);
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
  for (const c of containers) checkContainerEnums(c, names);
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
  const tags = readTags(input);
  const revision = ctx.store.latestRevision(definition.family) + 1;
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
  return { taskDefinition: view(ctx, td), tags };
};

const describeTaskDefinition: Handler = (ctx, input) => {
  const td = findTaskDefinition(ctx, reqString(input, 'taskDefinition'));
  if (!td) throw clientError('Unable to describe task definition.');
  const include = optStringList(input, 'include') ?? [];
  const unknown = include.find((i) => i !== 'TAGS');
  if (unknown !== undefined) throw invalidParameter(`Invalid include '${unknown}': the only value is TAGS.`);
  return { taskDefinition: view(ctx, td), ...(include.includes('TAGS') ? { tags: td.tags } : {}) };
};

const listTaskDefinitions: Handler = (ctx, input) => {
  const prefix = optString(input, 'familyPrefix');
  const status = optString(input, 'status') ?? 'ACTIVE';
  if (!['ACTIVE', 'INACTIVE'].includes(status)) throw invalidParameter(`Invalid status '${status}': use ACTIVE or INACTIVE.`);
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
  return { taskDefinition: view(ctx, td) };
};

/** Every family with at least one revision of `status`, from the store's (family, revision) order. */
function familiesWith(ctx: ApiContext, status: 'ACTIVE' | 'INACTIVE'): Set<string> {
  const families = new Set<string>();
  let after: string | undefined;
  do {
    const page = ctx.store.pageTaskDefinitionArns({ status, descending: false }, { limit: 1000, ...(after !== undefined ? { after } : {}) });
    for (const arn of page.arns) families.add(familyOfTaskDefinitionArn(arn));
    after = page.after;
  } while (after !== undefined);
  return families;
}

const listTaskDefinitionFamilies: Handler = (ctx, input) => {
  const prefix = optString(input, 'familyPrefix') ?? '';
  const status = optString(input, 'status') ?? 'ALL';
  if (!['ACTIVE', 'INACTIVE', 'ALL'].includes(status)) throw invalidParameter(`Invalid status '${status}': use ACTIVE, INACTIVE or ALL.`);
  const active = familiesWith(ctx, 'ACTIVE');
  // INACTIVE: families none of whose revisions is ACTIVE any more.
  const inactive = [...familiesWith(ctx, 'INACTIVE')].filter((f) => !active.has(f));
  const families = (status === 'ACTIVE' ? [...active] : status === 'INACTIVE' ? inactive : [...new Set([...active, ...inactive])])
    .filter((f) => f.startsWith(prefix))
    .sort();
  const { page, nextToken } = paginate(families, input);
  return { families: page, ...(nextToken ? { nextToken } : {}) };
};

export const taskDefinitionHandlers: Record<string, Handler> = {
  RegisterTaskDefinition: registerTaskDefinition,
  DescribeTaskDefinition: describeTaskDefinition,
  ListTaskDefinitions: listTaskDefinitions,
  ListTaskDefinitionFamilies: listTaskDefinitionFamilies,
  DeregisterTaskDefinition: deregisterTaskDefinition,
};
