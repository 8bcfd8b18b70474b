// CreateService / UpdateService / CreateTaskSet request fields, checked as ECS checks them, each
// refusal an ECS error that names the field. What Dockhand cannot do (Fargate, load balancers,
// Cloud Map, CodeDeploy) is refused with what to use instead, never accepted and ignored.
import type { NetworkConfiguration, PlacementConstraint, PlacementStrategy } from '@aws-sdk/client-ecs';
import { EcsError, clientError, invalidParameter } from '../errors.ts';
import type { TaskDefinitionRecord } from '../model/records.ts';
import type { DeploymentConfig, DeploymentControllerType, SchedulingStrategy, ServiceLaunchType } from '../services/records.ts';
import type { ApiContext, Input } from './context.ts';
import { optBoolean, optList, optNumber, optObject, optString } from './input.ts';
import { findTaskDefinition } from './resolve.ts';
import { checkPlacementSpec } from './task-launch.ts';

export const SERVICE_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** ECS's quota of tasks per service. */
const MAX_DESIRED_COUNT = 5000;
const MAX_GRACE_SECONDS = 2_147_483_647;
/** Fargate platform versions ECS knows; anything else is PlatformUnknownException. */
const PLATFORM_VERSIONS = ['LATEST', '1.4.0', '1.3.0', '1.2.0', '1.1.0', '1.0.0'];

export function readDeploymentController(input: Input): DeploymentControllerType {
  const controller = optObject<{ type?: unknown }>(input, 'deploymentController');
  const type = controller?.type ?? 'ECS';
  if (type === 'ECS' || type === 'EXTERNAL') return type;
  if (type === 'CODE_DEPLOY') {
    throw invalidParameter('deploymentController.type CODE_DEPLOY needs AWS CodeDeploy, which Dockhand does not have: use ECS (rolling update) or EXTERNAL (task sets).');
  }
  throw invalidParameter(`Invalid deploymentController.type '${String(type)}': use ECS, CODE_DEPLOY or EXTERNAL.`);
}

export function readSchedulingStrategy(input: Input): SchedulingStrategy {
  const value = optString(input, 'schedulingStrategy') ?? 'REPLICA';
  if (value !== 'REPLICA' && value !== 'DAEMON') throw invalidParameter(`Invalid schedulingStrategy '${value}': use REPLICA or DAEMON.`);
  return value;
}

/** `desiredCount`: required for a REPLICA service under the ECS controller, refused for DAEMON. */
export function readDesiredCount(input: Input, strategy: SchedulingStrategy, required: boolean): number | undefined {
  const count = optNumber(input, 'desiredCount');
  if (count === undefined) {
    if (required && strategy === 'REPLICA') throw invalidParameter('desiredCount is required for a service with the REPLICA scheduling strategy.');
    return undefined;
  }
  if (strategy === 'DAEMON') throw invalidParameter('desiredCount: the DAEMON scheduling strategy does not support a desired count for services (it runs one task per container instance).');
  if (!Number.isInteger(count) || count < 0 || count > MAX_DESIRED_COUNT) {
    throw invalidParameter(`desiredCount must be an integer from 0 to ${MAX_DESIRED_COUNT}, not ${count}.`);
  }
  return count;
}

export const defaultDeploymentConfiguration = (strategy: SchedulingStrategy): DeploymentConfig => ({
  minimumHealthyPercent: strategy === 'DAEMON' ? 0 : 100,
  maximumPercent: strategy === 'DAEMON' ? 100 : 200,
  deploymentCircuitBreaker: { enable: false, rollback: false },
});

/** `deploymentConfiguration` over `base`: fields not sent keep their value. */
export function readDeploymentConfiguration(input: Input, base: DeploymentConfig, controller: DeploymentControllerType): DeploymentConfig {
  const sent = optObject<Input>(input, 'deploymentConfiguration');
  if (!sent) return base;
  const min = optNumber(sent, 'minimumHealthyPercent') ?? base.minimumHealthyPercent;
  const max = optNumber(sent, 'maximumPercent') ?? base.maximumPercent;
  if (!Number.isInteger(min) || min < 0 || min > 100) {
    throw invalidParameter(`deploymentConfiguration.minimumHealthyPercent must be an integer from 0 to 100, not ${min}.`);
  }
  if (!Number.isInteger(max) || max < 100 || max > 2000) {
    throw invalidParameter(`deploymentConfiguration.maximumPercent must be an integer from 100 to 2000, not ${max}.`);
  }
  let breaker = base.deploymentCircuitBreaker;
  const cb = optObject<Input>(sent, 'deploymentCircuitBreaker');
  if (cb) {
    const enable = optBoolean(cb, 'enable');
    const rollback = optBoolean(cb, 'rollback');
    if (enable === undefined || rollback === undefined) {
      throw invalidParameter('deploymentConfiguration.deploymentCircuitBreaker needs both enable and rollback (true or false).');
    }
    if (enable && controller !== 'ECS') {
      throw invalidParameter('deploymentConfiguration.deploymentCircuitBreaker can only be used with the rolling update (ECS) deployment controller.');
    }
    breaker = { enable, rollback };
  }
  return { minimumHealthyPercent: min, maximumPercent: max, deploymentCircuitBreaker: breaker };
}

/** `launchType`: EC2 or EXTERNAL (ECS Anywhere); FARGATE is refused (there is no Fargate here). */
export function readServiceLaunchType(input: Input): ServiceLaunchType | undefined {
  const value = optString(input, 'launchType');
  if (value === undefined) return undefined;
  if (value === 'EC2' || value === 'EXTERNAL') return value;
  if (value === 'FARGATE') throw invalidParameter('launchType FARGATE is not available: Dockhand runs tasks on registered container instances; use EC2 or EXTERNAL.');
  throw invalidParameter(`Invalid launchType '${value}': use EC2, FARGATE or EXTERNAL.`);
}

/** `platformVersion` exists only for Fargate: an unknown version is PlatformUnknownException,
 *  a known one is refused for the EC2/EXTERNAL launch types. */
export function readPlatformVersion(input: Input): string | undefined {
  const value = optString(input, 'platformVersion');
  if (value === undefined) return undefined;
  if (!PLATFORM_VERSIONS.includes(value)) throw new EcsError('PlatformUnknownException', `The specified platform version (${value}) does not exist.`);
  throw invalidParameter('platformVersion is only supported for tasks using the FARGATE launch type; leave it out for EC2 and EXTERNAL.');
}

/** Load balancers, Cloud Map registries and the load-balancer role need AWS services Dockhand does
 *  not have: refused, rather than accepted and silently ignored. */
export function refuseLoadBalancing(input: Input): void {
  if ((optList(input, 'loadBalancers') ?? []).length > 0) {
    throw invalidParameter('loadBalancers: Dockhand has no Elastic Load Balancing; create the service without load balancers.');
  }
  if ((optList(input, 'serviceRegistries') ?? []).length > 0) {
    throw invalidParameter('serviceRegistries: Dockhand has no AWS Cloud Map; create the service without service registries.');
  }
  if (optString(input, 'role')) throw invalidParameter('role is only permitted for a service that uses a load balancer, and loadBalancers are not supported here.');
}

/** `networkConfiguration` goes with the awsvpc network mode, and only with it. */
export function readNetworkConfiguration(input: Input, td: TaskDefinitionRecord | undefined): NetworkConfiguration | undefined {
  const config = optObject<NetworkConfiguration>(input, 'networkConfiguration');
  const awsvpc = td?.definition.networkMode === 'awsvpc';
  if (td && awsvpc && !config) throw invalidParameter(`networkConfiguration must be provided when networkMode 'awsvpc' is specified (task definition ${td.family}:${td.revision}).`);
  if (td && config && !awsvpc) {
    throw invalidParameter(`networkConfiguration is not valid for the networkMode '${td.definition.networkMode ?? 'bridge'}' of task definition ${td.family}:${td.revision}.`);
  }
  if (config && !Array.isArray(config.awsvpcConfiguration?.subnets)) throw invalidParameter('networkConfiguration.awsvpcConfiguration.subnets is required.');
  return config;
}

/** The task definition a service or task set runs: "family", "family:rev" or an ARN, ACTIVE. */
export function serviceTaskDefinition(ctx: ApiContext, ref: string, launchType: ServiceLaunchType | undefined): TaskDefinitionRecord {
  const td = findTaskDefinition(ctx, ref);
  if (!td) throw clientError(`TaskDefinition not found: ${ref}.`);
  if (td.status !== 'ACTIVE') throw clientError(`TaskDefinition is inactive: ${td.family}:${td.revision}.`);
  const requires = td.definition.requiresCompatibilities ?? [];
  const wanted = launchType ?? 'EC2';
  if (requires.length > 0 && !requires.includes(wanted) && !(wanted === 'EXTERNAL' && requires.includes('EC2'))) {
    throw invalidParameter(`Task definition ${td.family}:${td.revision} does not support launch_type ${wanted} (requiresCompatibilities: ${requires.join(', ')}).`);
  }
  return td;
}

/** placementStrategy / placementConstraints, checked by the placement rules RunTask uses (and
 *  counted with the task definition's constraints). DAEMON services take no strategy. */
export function readPlacement(input: Input, td: TaskDefinitionRecord | undefined, strategy: SchedulingStrategy):
  { placementConstraints?: PlacementConstraint[]; placementStrategy?: PlacementStrategy[] } {
  const rawStrategy = input.placementStrategy;
  const rawConstraints = input.placementConstraints;
  if (strategy === 'DAEMON' && Array.isArray(rawStrategy) && rawStrategy.length > 0) {
    throw invalidParameter('placementStrategy is not supported with the DAEMON scheduling strategy.');
  }
  const out: { placementConstraints?: PlacementConstraint[]; placementStrategy?: PlacementStrategy[] } = {};
  if (rawStrategy !== undefined && rawStrategy !== null) out.placementStrategy = rawStrategy as PlacementStrategy[];
  if (rawConstraints !== undefined && rawConstraints !== null) out.placementConstraints = rawConstraints as PlacementConstraint[];
  checkPlacementSpec({ strategy: out.placementStrategy ?? [], constraints: out.placementConstraints ?? [] }, td);
  return out;
}

export function readHealthCheckGrace(input: Input): number | undefined {
  const value = optNumber(input, 'healthCheckGracePeriodSeconds');
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > MAX_GRACE_SECONDS) {
    throw invalidParameter(`healthCheckGracePeriodSeconds must be an integer from 0 to ${MAX_GRACE_SECONDS}.`);
  }
  return value;
}
