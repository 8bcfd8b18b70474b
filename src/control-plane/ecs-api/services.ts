// CreateService, UpdateService, DeleteService, DescribeServices, ListServices. The handlers only
// record what the caller wants; the service scheduler (services/scheduler.ts) starts and stops the
// tasks, nudged here so that it does not wait for its next period.
import { invalidParameter } from '../errors.ts';
import { newDeployment, promote } from '../services/deployment-lifecycle.ts';
import { SERVICE_KIND, TASK_SET_KIND, serviceArn, type ServiceRecord, type TaskSetRecord } from '../services/records.ts';
import { nudgeServices } from '../services/scheduler.ts';
import { rootPrincipal } from './account-settings.ts';
import { refuseCapacityProviderLaunch } from './capacity-provider-rules.ts';
import type { Handler } from './context.ts';
import { optBoolean, optList, optString, optStringList, pageNextToken, readPageRequest, reqString } from './input.ts';
import { activeCluster, findTaskDefinition } from './resolve.ts';
import {
  SERVICE_NAME, defaultDeploymentConfiguration, readDeploymentConfiguration, readDeploymentController, readDesiredCount,
  readHealthCheckGrace, readNetworkConfiguration, readPlacement, readPlatformVersion, readSchedulingStrategy, readServiceLaunchType,
  refuseLoadBalancing, serviceTaskDefinition,
} from './service-input.ts';
import { findService, putService, requireActiveService, serviceView } from './service-views.ts';
import { readPropagateTags, readTags } from './tag-rules.ts';
import { taskSetHandlers } from './task-sets.ts';

const createService: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const name = reqString(input, 'serviceName');
  if (!SERVICE_NAME.test(name)) throw invalidParameter('serviceName can have up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.');
  const clientToken = optString(input, 'clientToken');
  if (clientToken !== undefined && (clientToken.length > 32 || !/^[\x20-\x7e]*$/.test(clientToken))) {
    throw invalidParameter('clientToken can have up to 32 ASCII characters.');
  }
  const existing = findService(ctx, cluster, name);
  if (existing && existing.status !== 'INACTIVE') {
    // A retry of the same request (same client token) gets the service it created.
    if (clientToken !== undefined && existing.clientToken === clientToken && existing.status === 'ACTIVE') return { service: serviceView(ctx, existing, true) };
    throw invalidParameter('Creation of service was not idempotent.');
  }
  const controller = readDeploymentController(input);
  const strategy = readSchedulingStrategy(input);
  if (strategy === 'DAEMON' && controller !== 'ECS') throw invalidParameter('schedulingStrategy DAEMON is not supported with the EXTERNAL deployment controller.');
  refuseLoadBalancing(input);
  const launchType = readServiceLaunchType(input);
  refuseCapacityProviderLaunch(cluster, input);
  readPlatformVersion(input);
  const tdRef = optString(input, 'taskDefinition');
  if (controller === 'ECS' && !tdRef) throw invalidParameter('taskDefinition can not be blank: a service with the ECS deployment controller needs a task definition.');
  if (controller === 'EXTERNAL' && tdRef) throw invalidParameter('taskDefinition cannot be set on a service with the EXTERNAL deployment controller: give it to CreateTaskSet.');
  const td = tdRef ? serviceTaskDefinition(ctx, tdRef, launchType) : undefined;
  const desiredCount = readDesiredCount(input, strategy, controller === 'ECS') ?? 0;
  if (controller === 'EXTERNAL' && input.networkConfiguration !== undefined && input.networkConfiguration !== null) {
    throw invalidParameter('networkConfiguration cannot be set on a service with the EXTERNAL deployment controller: give it to CreateTaskSet.');
  }
  const networkConfiguration = controller === 'ECS' ? readNetworkConfiguration(input, td) : undefined;
  const now = ctx.now();
  const base = {
    ...(launchType ? { launchType } : {}),
    ...(networkConfiguration ? { networkConfiguration } : {}),
  };
  const grace = readHealthCheckGrace(input);
  const svc: ServiceRecord = {
    arn: serviceArn(ctx.scope, cluster.name, name),
    name,
    clusterName: cluster.name,
    status: 'ACTIVE',
    desiredCount,
    ...(td ? { taskDefinitionArn: td.arn } : {}),
    ...base,
    schedulingStrategy: strategy,
    deploymentController: controller,
    deploymentConfiguration: readDeploymentConfiguration(input, defaultDeploymentConfiguration(strategy), controller),
    placementConstraints: [],
    placementStrategy: [],
    ...readPlacement(input, td, strategy),
    loadBalancers: [],
    serviceRegistries: [],
    ...(grace !== undefined ? { healthCheckGracePeriodSeconds: grace } : {}),
    tags: readTags(input),
    enableECSManagedTags: optBoolean(input, 'enableECSManagedTags') ?? false,
    propagateTags: readPropagateTags(input, true) ?? 'NONE',
    enableExecuteCommand: optBoolean(input, 'enableExecuteCommand') ?? false,
    ...(clientToken !== undefined ? { clientToken } : {}),
    createdAt: now,
    createdBy: rootPrincipal(ctx),
    deployments: td ? [newDeployment(base, td.arn, now)] : [],
    events: [],
    steady: false,
  };
  putService(ctx, svc);
  ctx.logger.info({ service: svc.arn, desiredCount, taskDefinition: svc.taskDefinitionArn }, 'service created');
  nudgeServices(ctx);
  return { service: serviceView(ctx, svc, true) };
};

const updateService: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const svc = structuredClone(requireActiveService(ctx, cluster, reqString(input, 'service')));
  const external = svc.deploymentController === 'EXTERNAL';
  if (external) {
    for (const field of ['taskDefinition', 'networkConfiguration', 'platformVersion', 'capacityProviderStrategy', 'forceNewDeployment'] as const) {
      if (input[field] !== undefined && input[field] !== null) {
        throw invalidParameter(`${field} cannot be updated on a service with the EXTERNAL deployment controller: create a new task set instead.`);
      }
    }
  }
  const desiredCount = readDesiredCount(input, svc.schedulingStrategy, false);
  if ((optList(input, 'capacityProviderStrategy') ?? []).length > 0) refuseCapacityProviderLaunch(cluster, input);
  readPlatformVersion(input);
  const tdRef = optString(input, 'taskDefinition');
  const td = tdRef ? serviceTaskDefinition(ctx, tdRef, svc.launchType) : undefined;
  // A new definition or network configuration is checked against each other (awsvpc needs one).
  const effective = td ?? (svc.taskDefinitionArn ? findTaskDefinition(ctx, svc.taskDefinitionArn) : undefined);
  let networkChanged = false;
  if (!external && (td || (input.networkConfiguration !== undefined && input.networkConfiguration !== null))) {
    const sent = input.networkConfiguration !== undefined && input.networkConfiguration !== null ? input : { networkConfiguration: svc.networkConfiguration };
    const config = readNetworkConfiguration(sent, effective);
    networkChanged = JSON.stringify(config) !== JSON.stringify(svc.networkConfiguration);
    if (config) svc.networkConfiguration = config;
    else delete svc.networkConfiguration;
  }
  svc.deploymentConfiguration = readDeploymentConfiguration(input, svc.deploymentConfiguration, svc.deploymentController);
  Object.assign(svc, readPlacement(input, effective, svc.schedulingStrategy));
  const grace = readHealthCheckGrace(input);
  if (grace !== undefined) svc.healthCheckGracePeriodSeconds = grace;
  const exec = optBoolean(input, 'enableExecuteCommand');
  if (exec !== undefined) svc.enableExecuteCommand = exec;
  if (desiredCount !== undefined && desiredCount !== svc.desiredCount) {
    svc.desiredCount = desiredCount;
    svc.steady = false;
    if (svc.deployments[0]) svc.deployments[0].updatedAt = ctx.now();
  }
  const force = optBoolean(input, 'forceNewDeployment') ?? false;
  const changedDefinition = td !== undefined && td.arn !== svc.taskDefinitionArn;
  if (!external && (force || changedDefinition || networkChanged)) {
    promote(svc, newDeployment(svc, td?.arn ?? svc.taskDefinitionArn!, ctx.now()));
    ctx.logger.info({ service: svc.arn, deployment: svc.deployments[0]!.id, taskDefinition: svc.taskDefinitionArn }, 'service deployment started');
  }
  putService(ctx, svc);
  nudgeServices(ctx);
  return { service: serviceView(ctx, svc, true) };
};

const deleteService: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const svc = structuredClone(requireActiveService(ctx, cluster, reqString(input, 'service')));
  const force = optBoolean(input, 'force') ?? false;
  if (svc.schedulingStrategy === 'REPLICA' && svc.desiredCount > 0 && !force) {
    throw invalidParameter(`The service cannot be stopped while it is scaled above 0 (desiredCount ${svc.desiredCount}): update it to 0 first, or delete with force.`);
  }
  svc.status = 'DRAINING';
  svc.desiredCount = 0;
  svc.steady = false;
  putService(ctx, svc);
  if (svc.deploymentController === 'EXTERNAL') {
    for (const set of ctx.store.listDocuments<TaskSetRecord>(TASK_SET_KIND, cluster.name)) {
      if (set.serviceArn === svc.arn) ctx.store.putDocument(TASK_SET_KIND, set.arn, set.clusterName, { ...set, status: 'DRAINING', updatedAt: ctx.now() });
    }
  }
  ctx.logger.info({ service: svc.arn, force }, 'service deleted (draining)');
  nudgeServices(ctx);
  return { service: serviceView(ctx, svc, true) };
};

const describeServices: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const refs = optStringList(input, 'services') ?? [];
  if (refs.length === 0) throw invalidParameter('services cannot be empty: name up to 10 services.');
  if (refs.length > 10) throw invalidParameter(`services can have at most 10 items, not ${refs.length}.`);
  const includeTags = (optList<string>(input, 'include') ?? []).includes('TAGS');
  const services: unknown[] = [];
  const failures: unknown[] = [];
  for (const ref of refs) {
    const svc = findService(ctx, cluster, ref);
    if (svc) services.push(serviceView(ctx, svc, includeTags));
    else failures.push({ arn: ref.startsWith('arn:') ? ref : serviceArn(ctx.scope, cluster.name, ref), reason: 'MISSING' });
  }
  return { services, failures };
};

const listServices: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const launchType = optString(input, 'launchType');
  if (launchType !== undefined && !['EC2', 'FARGATE', 'EXTERNAL'].includes(launchType)) throw invalidParameter(`Invalid launchType '${launchType}': use EC2, FARGATE or EXTERNAL.`);
  const strategy = optString(input, 'schedulingStrategy');
  if (strategy !== undefined && strategy !== 'REPLICA' && strategy !== 'DAEMON') throw invalidParameter(`Invalid schedulingStrategy '${strategy}': use REPLICA or DAEMON.`);
  // ListServices pages 10 at a time unless maxResults says otherwise (1..100).
  const page = readPageRequest({ ...input, maxResults: input.maxResults ?? 10 });
  const arns = ctx.store.listDocuments<ServiceRecord>(SERVICE_KIND, cluster.name)
    .filter((s) => s.status === 'ACTIVE' && (!launchType || (s.launchType ?? 'EC2') === launchType) && (!strategy || s.schedulingStrategy === strategy))
    .map((s) => s.arn);
  const start = page.after === undefined ? 0 : arns.indexOf(page.after) + 1;
  if (page.after !== undefined && start === 0) return { serviceArns: [] }; // the service it named is gone
  const slice = arns.slice(start, start + page.limit);
  const more = start + slice.length < arns.length;
  return { serviceArns: slice, ...pageNextToken(more ? { arns: slice, after: slice[slice.length - 1]! } : { arns: slice }) };
};

/** The service operations and the task set ones (EXTERNAL controller), for the router. */
export const serviceHandlers: Record<string, Handler> = {
  ...taskSetHandlers,
  CreateService: createService,
  UpdateService: updateService,
  DeleteService: deleteService,
  DescribeServices: describeServices,
  ListServices: listServices,
};
