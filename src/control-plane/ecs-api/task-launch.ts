// What RunTask and StartTask share: reading the launch request, building the new task records
// and handing them to the instance's ACS session. Placement itself is scheduler/placement.ts.
import { randomUUID } from 'node:crypto';
import type { PlacementConstraint, PlacementStrategy, Tag, TaskOverride } from '@aws-sdk/client-ecs';
import { containerArn, taskArn } from '../../protocol/arn.ts';
import { clientError, invalidParameter } from '../errors.ts';
import { computeNeeds, effectiveContainers, taskLevelSizes } from '../model/effective-definition.ts';
import { requiredAttributeNames } from '../model/requires-attributes.ts';
import type { ClusterRecord, TaskDefinitionRecord, TaskRecord } from '../model/records.ts';
import { placeTasks, type PlacementResult } from '../scheduler/placement.ts';
import { readConstraints, readStrategies, type Constraint, type Strategy } from '../scheduler/placement-spec.ts';
import type { ApiContext, Input } from './context.ts';
import { optObject, optString, reqString } from './input.ts';
import { candidateFor, indexOf } from './instance-facts.ts';
import { readLaunchExtras } from './launch-extras.ts';
import { activeCluster, findTaskDefinition } from './resolve.ts';
import { taskView } from './views.ts';

export interface LaunchRequest {
  cluster: ClusterRecord;
  taskDefinition: TaskDefinitionRecord;
  overrides: TaskOverride;
  startedBy?: string;
  group: string;
  tags: Tag[];
  enableExecuteCommand?: true;
}

export function readLaunchRequest(ctx: ApiContext, input: Input): LaunchRequest {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const ref = reqString(input, 'taskDefinition');
  const taskDefinition = findTaskDefinition(ctx, ref);
  if (!taskDefinition) throw clientError('TaskDefinition not found.');
  if (taskDefinition.status !== 'ACTIVE') throw clientError('TaskDefinition is inactive');
  const launchType = optString(input, 'launchType');
  if (launchType !== undefined && launchType !== 'EC2' && launchType !== 'EXTERNAL') {
    throw invalidParameter(`launchType ${launchType} is not supported by this control plane; use EC2 or EXTERNAL.`);
  }
  const overrides = optObject<TaskOverride>(input, 'overrides') ?? {};
  for (const o of overrides.containerOverrides ?? []) {
    if (!taskDefinition.definition.containerDefinitions.some((c) => c.name === o.name)) {
      throw invalidParameter(`Override for container named ${o.name} is not a container in the TaskDefinition.`);
    }
  }
  const startedBy = optString(input, 'startedBy');
  if (startedBy !== undefined && startedBy.length > 128) throw invalidParameter('startedBy can have up to 128 characters.');
  return {
    cluster,
    taskDefinition,
    overrides,
    ...(startedBy !== undefined ? { startedBy } : {}),
    group: optString(input, 'group') || `family:${taskDefinition.family}`,
    ...readLaunchExtras(input, cluster, taskDefinition),
  };
}

/** The needs of a task launched from this request; the same for each copy. */
export const needsOf = (r: LaunchRequest) => computeNeeds(r.taskDefinition.definition, r.overrides);

/** The instance attributes a task of this request needs (the definition's requiresAttributes). */
export const requiredAttributesOf = (r: LaunchRequest) => requiredAttributeNames(r.taskDefinition.definition);

/** How a caller wants tasks spread (RunTask's and CreateService's placementStrategy and
 *  placementConstraints, as sent). */
export interface PlacementSpec {
  strategy?: PlacementStrategy[];
  constraints?: PlacementConstraint[];
  /** Only these instances are candidates (the service scheduler's DAEMON task for one instance). */
  instanceArns?: string[];
}

/** The spec read and checked, with the task definition's own memberOf constraints added: an
 *  InvalidParameterException for a bad rule or expression. CreateService can call it to refuse a
 *  bad spec up front instead of at each placement. */
export function checkPlacementSpec(spec: PlacementSpec, taskDefinition?: TaskDefinitionRecord): { strategies: Strategy[]; constraints: Constraint[] } {
  return {
    strategies: readStrategies(spec.strategy),
    constraints: readConstraints(spec.constraints, taskDefinition?.definition.placementConstraints),
  };
}

/** Whether the rules read more of an instance than its resources, attribute names and groups. */
const readsFacts = (strategies: Strategy[], constraints: Constraint[]) =>
  constraints.some((c) => c.type === 'memberOf') || strategies.some((s) => s.type === 'spread' && s.field.kind === 'attribute');

/** Places `count` copies of the request's task among the cluster's ACTIVE instances (DRAINING
 *  and INACTIVE ones get nothing new) and launches those that fit: what RunTask does, and what the
 *  service scheduler does for each missing task. Reads the placement index, never the tasks. */
export function placeAndLaunch(ctx: ApiContext, r: LaunchRequest, count: number, spec: PlacementSpec = {}): { tasks: unknown[]; failures: PlacementResult['failures'] } {
  const { strategies, constraints } = checkPlacementSpec(spec, r.taskDefinition);
  const instances = indexOf(ctx).instancesOf(r.cluster.name).filter((ci) => ci.status === 'ACTIVE' && (!spec.instanceArns || spec.instanceArns.includes(ci.arn)));
  const withFacts = readsFacts(strategies, constraints);
  const result = placeTasks({
    candidates: instances.map((ci) => candidateFor(ctx, ci, withFacts)),
    needs: needsOf(r), count, random: ctx.random, requiredAttributes: requiredAttributesOf(r), strategies, constraints, group: r.group,
  });
  return { tasks: result.placements.length ? launchOn(ctx, r, result.placements) : [], failures: result.failures };
}

/** Creates PENDING tasks on the given instances (one per entry), stores them and pushes one
 *  PayloadMessage per instance. Returns the RunTask/StartTask `tasks` views. */
export function launchOn(ctx: ApiContext, r: LaunchRequest, instanceArns: string[]): unknown[] {
  const created = instanceArns.map((instanceArn) => newTask(ctx, r, instanceArn));
  // The tasks and the payloads that carry them are written as one unit: a crash between them
  // must not leave a PENDING task that no agent will ever hear of.
  ctx.store.atomically(() => {
    for (const t of created) ctx.store.putTask(t);
    for (const instanceArn of new Set(instanceArns)) {
      ctx.acs.pushTasks(instanceArn, created.filter((t) => t.containerInstanceArn === instanceArn));
    }
  });
  ctx.logger.info({ tasks: created.map((t) => t.arn), taskDefinition: r.taskDefinition.arn }, 'tasks placed');
  return created.map((t) => taskView(ctx, t, true));
}

function newTask(ctx: ApiContext, r: LaunchRequest, instanceArn: string): TaskRecord {
  const id = randomUUID().replaceAll('-', '');
  const arn = taskArn(ctx.scope, r.cluster.name, id);
  const instance = ctx.store.getContainerInstance(instanceArn);
  const external = instance?.attributes.some((a) => a.name === 'ecs.capability.external') ?? false;
  const sizes = taskLevelSizes(r.taskDefinition.definition, r.overrides);
  return {
    arn,
    clusterName: r.cluster.name,
    containerInstanceArn: instanceArn,
    taskDefinitionArn: r.taskDefinition.arn,
    launchType: external ? 'EXTERNAL' : 'EC2',
    lastStatus: 'PENDING',
    desiredStatus: 'RUNNING',
    version: 1,
    createdAt: ctx.now(),
    ...(r.startedBy !== undefined ? { startedBy: r.startedBy } : {}),
    group: r.group,
    tags: r.tags,
    ...(r.enableExecuteCommand ? { enableExecuteCommand: true } : {}),
    overrides: r.overrides,
    ...sizes,
    needs: needsOf(r),
    containers: effectiveContainers(r.taskDefinition.definition, r.overrides).map((c) => ({
      containerArn: containerArn(ctx.scope, r.cluster.name, id, randomUUID()),
      name: c.name ?? '',
      image: c.image ?? '',
      lastStatus: 'PENDING' as const,
      essential: c.essential ?? true,
      networkBindings: [],
      ...(c.cpu !== undefined ? { cpu: c.cpu } : {}),
      ...(c.memory !== undefined ? { memory: c.memory } : {}),
      ...(c.memoryReservation !== undefined ? { memoryReservation: c.memoryReservation } : {}),
    })),
  };
}
