// Services, their deployments and task sets as the control plane keeps them: plain JSON records in
// the store's documents (kind 'service' keyed by service ARN, kind 'taskSet' keyed by task set ARN,
// both grouped by cluster name), so they survive a restart like every other record. The wire
// shapes DescribeServices/DescribeTaskSets answer are derived in ecs-api/service-views.ts.
import { randomInt } from 'node:crypto';
import type {
  CapacityProviderStrategyItem, LoadBalancer, NetworkConfiguration, PlacementConstraint, PlacementStrategy, ServiceRegistry, Tag,
} from '@aws-sdk/client-ecs';
import type { ArnScope } from '../../protocol/arn.ts';
import type { PropagateTags } from '../ecs-api/tag-rules.ts';

export const SERVICE_KIND = 'service';
export const TASK_SET_KIND = 'taskSet';

export type ServiceStatus = 'ACTIVE' | 'DRAINING' | 'INACTIVE';
export type SchedulingStrategy = 'REPLICA' | 'DAEMON';
export type DeploymentControllerType = 'ECS' | 'EXTERNAL';
export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
export type ServiceLaunchType = 'EC2' | 'EXTERNAL';

export interface DeploymentConfig {
  minimumHealthyPercent: number;
  maximumPercent: number;
  deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
}

/** One rollout of a task definition (ECS deployment controller). Its tasks carry its id as startedBy. */
export interface DeploymentRecord {
  /** ecs-svc/<19 digits>, as ECS names them. */
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinitionArn: string;
  createdAt: number;
  updatedAt: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  /** Consecutive tasks that failed (circuit breaker stage 1: never reached RUNNING; stage 2:
   *  stopped for failing container health checks). */
  failedTasks: number;
  /** A task of this deployment reached RUNNING: stage 1 of the circuit breaker is over. */
  sawRunning: boolean;
  /** No launch before this time (epoch ms): back-off after failed tasks, as ECS throttles. */
  launchNotBefore?: number;
  /** The live tasks of this deployment as of the last reconcile, so that a stop is noticed once. */
  taskArns: string[];
  launchType?: ServiceLaunchType;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  networkConfiguration?: NetworkConfiguration;
  platformVersion?: string;
}

export interface ServiceEventRecord {
  id: string;
  createdAt: number;
  message: string;
}

export interface ServiceRecord {
  arn: string;
  name: string;
  clusterName: string;
  status: ServiceStatus;
  desiredCount: number;
  /** The task definition new tasks use (the primary deployment's, or the primary task set's). */
  taskDefinitionArn?: string;
  launchType?: ServiceLaunchType;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  platformVersion?: string;
  schedulingStrategy: SchedulingStrategy;
  deploymentController: DeploymentControllerType;
  deploymentConfiguration: DeploymentConfig;
  placementConstraints: PlacementConstraint[];
  placementStrategy: PlacementStrategy[];
  loadBalancers: LoadBalancer[];
  serviceRegistries: ServiceRegistry[];
  networkConfiguration?: NetworkConfiguration;
  healthCheckGracePeriodSeconds?: number;
  tags: Tag[];
  enableECSManagedTags: boolean;
  propagateTags: PropagateTags;
  enableExecuteCommand: boolean;
  clientToken?: string;
  createdAt: number;
  createdBy: string;
  /** Newest first (ECS order); PRIMARY first. Empty for the EXTERNAL controller. */
  deployments: DeploymentRecord[];
  /** The last deployment that reached COMPLETED, kept for a circuit-breaker rollback even after
   *  it drained out of `deployments`. */
  lastCompleted?: { id: string; taskDefinitionArn: string; createdAt: number };
  /** Newest first, at most MAX_EVENTS. */
  events: ServiceEventRecord[];
  /** Whether the last reconcile found the service steady (to say "reached a steady state" once). */
  steady: boolean;
  /** The placement/configuration problem last reported, so the same event is not repeated every
   *  reconcile (ECS omits duplicates until the cause is resolved). */
  lastProblem?: string;
}

export interface TaskSetRecord {
  id: string;
  arn: string;
  serviceArn: string;
  clusterName: string;
  externalId?: string;
  status: 'PRIMARY' | 'ACTIVE' | 'DRAINING';
  taskDefinitionArn: string;
  launchType?: ServiceLaunchType;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  platformVersion?: string;
  networkConfiguration?: NetworkConfiguration;
  loadBalancers: LoadBalancer[];
  serviceRegistries: ServiceRegistry[];
  scale: { value: number; unit: 'PERCENT' };
  stabilityStatus: 'STEADY_STATE' | 'STABILIZING';
  stabilityStatusAt: number;
  createdAt: number;
  updatedAt: number;
  clientToken?: string;
  tags: Tag[];
  /** Live tasks as of the last reconcile. */
  taskArns: string[];
  /** Consecutive tasks that failed to start, and the launch back-off they caused. */
  failedTasks?: number;
  launchNotBefore?: number;
}

export const MAX_EVENTS = 100;

const prefix = (s: ArnScope) => `arn:${s.partition ?? 'aws'}:ecs:${s.region}:${s.accountId}`;
export const serviceArn = (s: ArnScope, cluster: string, name: string): string => `${prefix(s)}:service/${cluster}/${name}`;
export const taskSetArn = (s: ArnScope, cluster: string, service: string, id: string): string =>
  `${prefix(s)}:task-set/${cluster}/${service}/${id}`;

/** "ecs-svc/" and 19 digits, the shape of ECS deployment and task set ids. */
export function newDeploymentId(): string {
  let digits = String(randomInt(1, 10));
  while (digits.length < 19) digits += String(randomInt(0, 10));
  return `ecs-svc/${digits}`;
}

/** The task `group` of a service's tasks. */
export const serviceGroup = (serviceName: string): string => `service:${serviceName}`;

/** The failed-task count at which the circuit breaker trips: half the desired count, at least 3
 *  and at most 200 (ECS's documented threshold). */
export const circuitBreakerThreshold = (desiredCount: number): number => Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));
