// A cluster as DescribeClusters and the cluster-changing calls answer it. Counts are derived on
// each read: instances from the store, live tasks (never the STOPPED history), ACTIVE services
// from the services' documents. `include` picks the optional parts as ECS does.
import type { ClusterRecord } from '../model/records.ts';
import { SERVICE_KIND, type ServiceRecord } from '../services/records.ts';
import type { ApiContext } from './context.ts';

export const CLUSTER_INCLUDES = ['ATTACHMENTS', 'CONFIGURATIONS', 'SETTINGS', 'STATISTICS', 'TAGS'] as const;
export type ClusterInclude = (typeof CLUSTER_INCLUDES)[number];

/** What the cluster-changing calls (Create, Update, Put…, Delete) answer: everything but statistics. */
export const MUTATION_INCLUDES: ReadonlySet<ClusterInclude> = new Set(['ATTACHMENTS', 'CONFIGURATIONS', 'SETTINGS', 'TAGS']);

type ServiceCounts = Pick<ServiceRecord, 'status' | 'launchType'>;

function statistics(ctx: ApiContext, c: ClusterRecord, services: ServiceCounts[]): Array<{ name: string; value: string }> {
  const tasks = ctx.store.listLiveTasks(c.name);
  const taskCount = (status: string, launchType: string) => tasks.filter((t) => t.lastStatus === status && t.launchType === launchType).length;
  const serviceCount = (status: string, launchType: string) => services.filter((s) => s.status === status && (s.launchType ?? 'EC2') === launchType).length;
  const counts: Array<[string, number]> = [
    ['runningEC2TasksCount', taskCount('RUNNING', 'EC2')],
    ['runningFargateTasksCount', 0],
    ['pendingEC2TasksCount', taskCount('PENDING', 'EC2')],
    ['pendingFargateTasksCount', 0],
    ['runningExternalTasksCount', taskCount('RUNNING', 'EXTERNAL')],
    ['pendingExternalTasksCount', taskCount('PENDING', 'EXTERNAL')],
    ['activeEC2ServiceCount', serviceCount('ACTIVE', 'EC2')],
    ['activeFargateServiceCount', serviceCount('ACTIVE', 'FARGATE')],
    ['drainingEC2ServiceCount', serviceCount('DRAINING', 'EC2')],
    ['drainingFargateServiceCount', serviceCount('DRAINING', 'FARGATE')],
    ['activeExternalServiceCount', serviceCount('ACTIVE', 'EXTERNAL')],
    ['drainingExternalServiceCount', serviceCount('DRAINING', 'EXTERNAL')],
  ];
  return counts.map(([name, value]) => ({ name, value: String(value) }));
}

export function clusterView(ctx: ApiContext, c: ClusterRecord, include: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const active = c.status === 'ACTIVE';
  const tasks = active ? ctx.store.listLiveTasks(c.name) : [];
  // DRAINING instances are still registered (ECS counts ACTIVE and DRAINING).
  const instances = active ? ctx.store.listContainerInstances(c.name).filter((i) => (i.status as string) === 'ACTIVE' || (i.status as string) === 'DRAINING') : [];
  const services = active ? ctx.store.listDocuments<ServiceCounts>(SERVICE_KIND, c.name) : [];
  const providers = c.capacityProviders ?? [];
  return {
    clusterArn: c.arn,
    clusterName: c.name,
    ...(include.has('CONFIGURATIONS') && c.configuration ? { configuration: c.configuration } : {}),
    status: c.status,
    registeredContainerInstancesCount: instances.length,
    runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
    pendingTasksCount: tasks.filter((t) => t.lastStatus === 'PENDING').length,
    activeServicesCount: services.filter((s) => s.status === 'ACTIVE').length,
    statistics: include.has('STATISTICS') && active ? statistics(ctx, c, services) : [],
    tags: include.has('TAGS') ? c.tags : [],
    ...(include.has('SETTINGS') ? { settings: c.settings } : {}),
    capacityProviders: providers,
    defaultCapacityProviderStrategy: c.defaultCapacityProviderStrategy ?? [],
    // Auto Scaling plans are what ECS attaches for capacity providers; Dockhand makes none, so a
    // cluster with providers reports its (empty) attachments as up to date.
    ...(include.has('ATTACHMENTS') ? { attachments: [], ...(providers.length ? { attachmentsStatus: 'UPDATE_COMPLETE' } : {}) } : {}),
    ...(c.serviceConnectDefaults ? { serviceConnectDefaults: c.serviceConnectDefaults } : {}),
  };
}
