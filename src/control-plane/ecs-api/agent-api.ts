// The operations only agents call: RegisterContainerInstance, DiscoverPollEndpoint,
// SubmitTaskStateChange, SubmitContainerStateChange. Shapes follow the v1.83.0 capture.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Attribute, Resource, VersionInfo } from '@aws-sdk/client-ecs';
import { containerInstanceArn, parseArn } from '../../protocol/arn.ts';
import type { ContainerStateChange, ContainerStateChangeRequest, TaskStateChangeRequest } from '../../protocol/state-change.ts';
import { CONTAINER_STATUSES, REPORTED_TASK_STATUSES, isOneOf } from '../../protocol/statuses.ts';
import { invalidParameter } from '../errors.ts';
import type { ContainerInstanceRecord, TaskRecord } from '../model/records.ts';
import { transition, type TaskEvent } from '../model/task-lifecycle.ts';
import { nudgeServices } from '../services/scheduler.ts';
import type { ApiContext, Handler, Input } from './context.ts';
import { optList, optNumber, optObject, optString, reqString } from './input.ts';
import { activeCluster, findTask } from './resolve.ts';
import { readTags } from './tag-rules.ts';
import { containerInstanceView } from './views.ts';

const ACK = { acknowledgment: 'ACK' };

const registerContainerInstance: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const attributes = optList<Attribute>(input, 'attributes') ?? [];
  const totalResources = optList<Resource>(input, 'totalResources') ?? [];
  const versionInfo = optObject<VersionInfo>(input, 'versionInfo');
  const clientToken = optString(input, 'clientToken');
  const requestedArn = optString(input, 'containerInstanceArn');
  const tags = readTags(input);
  for (const r of totalResources) {
    if (!r || typeof r.name !== 'string' || typeof r.type !== 'string') throw invalidParameter('Each resource needs a name and a type.');
  }

  if (!requestedArn && clientToken) {
    // A retried registration (same token) gets the instance the first attempt created.
    const same = ctx.store.listContainerInstances(cluster.name).find((ci) => ci.clientToken === clientToken && ci.status !== 'INACTIVE');
    if (same) return { containerInstance: containerInstanceView(ctx, same) };
  }

  const existing = requestedArn ? ctx.store.getContainerInstance(requestedArn) : undefined;
  if (requestedArn) {
    // Re-registration after an agent restart keeps the ARN the agent saved in its checkpoint.
    const parsed = parseArn(requestedArn);
    const ok = parsed?.resourceType === 'container-instance' && parsed.resource.startsWith(`${cluster.name}/`);
    if (!ok || (existing && existing.clusterName !== cluster.name)) {
      throw invalidParameter(`Container instance ${requestedArn} does not belong to cluster ${cluster.name}.`);
    }
  }
  const external = attributes.some((a) => a.name === 'ecs.capability.external');
  const record: ContainerInstanceRecord = {
    arn: requestedArn ?? containerInstanceArn(ctx.scope, cluster.name, randomUUID().replaceAll('-', '')),
    clusterName: cluster.name,
    ec2InstanceId: existing?.ec2InstanceId ?? instanceIdFrom(optString(input, 'instanceIdentityDocument'), external),
    // An agent restart re-registers; a DRAINING instance stays DRAINING (only the user reopens it).
    status: existing?.status === 'DRAINING' ? 'DRAINING' : 'ACTIVE',
    registeredAt: existing?.registeredAt ?? ctx.now(),
    version: (existing?.version ?? 0) + 1,
    ...(clientToken ? { clientToken } : {}),
    attributes: [...attributes, ...identityAttributes(optString(input, 'instanceIdentityDocument'), attributes)],
    registeredResources: totalResources,
    ...(versionInfo ? { versionInfo } : {}),
    tags: tags.length ? tags : (existing?.tags ?? []),
  };
  ctx.store.putContainerInstance(record);
  ctx.logger.info({ containerInstance: record.arn, reregistered: !!existing }, 'container instance registered');
  return { containerInstance: containerInstanceView(ctx, record) };
};

/** ECS adds the instance's placement facts from its identity document (the agent echo stays whole). */
function identityAttributes(document: string | undefined, sent: Attribute[]): Attribute[] {
  if (!document) return [];
  let doc: { availabilityZone?: unknown; instanceType?: unknown; imageId?: unknown };
  try {
    doc = JSON.parse(document) as typeof doc;
  } catch {
    return [];
  }
  const facts: Array<[string, unknown]> = [['ecs.availability-zone', doc.availabilityZone], ['ecs.instance-type', doc.instanceType], ['ecs.ami-id', doc.imageId]];
  return facts
    .filter((f): f is [string, string] => typeof f[1] === 'string' && f[1] !== '' && !sent.some((a) => a.name === f[0]))
    .map(([name, value]) => ({ name, value }));
}

/** EC2 instances are named by their identity document; ECS Anywhere ones get a managed-instance ID. */
function instanceIdFrom(document: string | undefined, external: boolean): string {
  if (document && !external) {
    try {
      const id = (JSON.parse(document) as { instanceId?: unknown }).instanceId;
      if (typeof id === 'string' && id) return id;
    } catch {
      // not JSON: fall through to a generated ID
    }
  }
  return `${external ? 'mi' : 'i'}-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

const discoverPollEndpoint: Handler = (ctx) => {
  // One port serves everything; agents append "ws" to these (Go agent: endpoint + "/"? + "ws").
  const base = ctx.baseUrl();
  return { endpoint: `${base}/acs/`, telemetryEndpoint: `${base}/tcs/`, serviceConnectEndpoint: `${base}/acs/` };
};

function findReportedTask(ctx: ApiContext, input: Input): TaskRecord {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const ref = reqString(input, 'task');
  const task = findTask(ctx, cluster, ref);
  if (!task) throw invalidParameter('The referenced task was not found.');
  return task;
}

function readContainerChanges(input: Input): ContainerStateChange[] {
  const list = optList<ContainerStateChange>(input, 'containers') ?? [];
  for (const c of list) {
    if (!c || typeof c.containerName !== 'string') throw invalidParameter('Each container change needs a containerName.');
    if (!isOneOf(CONTAINER_STATUSES, c.status)) throw invalidParameter(`Invalid container status '${String(c.status)}'.`);
  }
  return list;
}

function apply(ctx: ApiContext, task: TaskRecord, event: TaskEvent): void {
  const result = transition(task, event);
  if (result.changed) {
    ctx.store.putTask(result.task);
    ctx.logger.info({ task: task.arn, event: event.kind, lastStatus: result.task.lastStatus }, 'task state changed');
    // A service whose task started or stopped reacts now rather than at its next period.
    if (result.task.lastStatus !== task.lastStatus) nudgeServices(ctx);
  } else {
    ctx.logger.debug({ task: task.arn, event: event.kind, why: result.ignored }, 'state change ignored');
  }
}

const submitTaskStateChange: Handler = (ctx, input) => {
  const task = findReportedTask(ctx, input);
  const body = input as Partial<TaskStateChangeRequest>;
  const containers = readContainerChanges(input);
  const status = optString(input, 'status');
  const at = ctx.now();
  const pull = {
    ...(optNumber(input, 'pullStartedAt') !== undefined ? { pullStartedAt: Math.round(body.pullStartedAt! * 1000) } : {}),
    ...(optNumber(input, 'pullStoppedAt') !== undefined ? { pullStoppedAt: Math.round(body.pullStoppedAt! * 1000) } : {}),
  };
  if (status === undefined) {
    for (const change of containers) apply(ctx, ctx.store.getTask(task.arn)!, { kind: 'container-changed', at, change });
    return ACK;
  }
  if (!isOneOf(REPORTED_TASK_STATUSES, status)) throw invalidParameter(`Invalid task status '${status}'.`);
  if (status === 'RUNNING') {
    apply(ctx, task, { kind: 'agent-running', at, containers, ...pull });
  } else {
    const executionStoppedAt = optNumber(input, 'executionStoppedAt');
    apply(ctx, task, {
      kind: 'agent-stopped',
      at,
      reason: optString(input, 'reason') ?? '',
      containers,
      ...(executionStoppedAt !== undefined ? { executionStoppedAt: Math.round(executionStoppedAt * 1000) } : {}),
      ...pull,
    });
  }
  return ACK;
};

const submitContainerStateChange: Handler = (ctx, input) => {
  const task = findReportedTask(ctx, input);
  const body = input as Partial<ContainerStateChangeRequest>;
  const containerName = reqString(input, 'containerName');
  const status = optString(input, 'status');
  if (!isOneOf(CONTAINER_STATUSES, status)) throw invalidParameter(`Invalid container status '${String(status)}'.`);
  const change: ContainerStateChange = {
    containerName,
    status,
    ...(body.runtimeId ? { runtimeId: body.runtimeId } : {}),
    ...(optNumber(input, 'exitCode') !== undefined ? { exitCode: body.exitCode! } : {}),
    ...(optString(input, 'reason') ? { reason: body.reason! } : {}),
    ...(optList(input, 'networkBindings') ? { networkBindings: body.networkBindings! } : {}),
  };
  apply(ctx, task, { kind: 'container-changed', at: ctx.now(), change });
  return ACK;
};

const ATTACHMENT_STATUSES = ['PRECREATED', 'CREATED', 'ATTACHING', 'ATTACHED', 'DETACHING', 'DETACHED', 'DELETED', 'FAILED'];

/** Agents report ENI/attachment states here. Dockhand tasks have no attachments (bridge/host
 *  networking, no ENIs), so there is nothing to update: check the report and acknowledge it. */
const submitAttachmentStateChanges: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const attachments = optList<unknown>(input, 'attachments');
  if (!attachments || attachments.length === 0) throw invalidParameter('attachments can not be empty.');
  for (const raw of attachments) {
    const a = (typeof raw === 'object' && raw !== null ? raw : {}) as Input;
    const arn = optString(a, 'attachmentArn');
    const status = optString(a, 'status');
    if (!arn) throw invalidParameter('Each attachment change needs an attachmentArn.');
    if (!status || !ATTACHMENT_STATUSES.includes(status)) throw invalidParameter(`Invalid attachment status '${status ?? ''}' for ${arn}.`);
  }
  ctx.logger.info({ cluster: cluster.name, attachments }, 'attachment state changes acknowledged (Dockhand tracks no attachments)');
  return ACK;
};

export const agentHandlers: Record<string, Handler> = {
  SubmitAttachmentStateChanges: submitAttachmentStateChanges,
  RegisterContainerInstance: registerContainerInstance,
  DiscoverPollEndpoint: discoverPollEndpoint,
  SubmitTaskStateChange: submitTaskStateChange,
  SubmitContainerStateChange: submitContainerStateChange,
};
