// PURE: the container-instance attributes a task definition needs, as ECS computes them at
// RegisterTaskDefinition (`requiresAttributes`). Placement then only considers instances that
// advertise every one of them, so a task using something this host cannot honour (awsvpc without
// CNI, Secrets Manager/SSM secrets, S3 environment files, FireLens, EFS/FSx, a log driver that is
// not in ECS_AVAILABLE_LOGGING_DRIVERS, task-level limits on a host without task cgroups, PID/IPC
// namespace sharing) fails at RunTask with reason ATTRIBUTE rather than being sent to an agent
// that would ignore part of it. Names are the real agent's (agent/app/agent_capability.go).
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { parseCpuUnits, parseMemoryMiB } from './effective-definition.ts';
import type { TaskDefinitionBody } from './records.ts';

const CAP = 'com.amazonaws.ecs.capability';
/** Task cpu above 10 vCPUs needs the agent's increased-task-cpu-limit as well. */
const BASE_TASK_CPU_LIMIT_UNITS = 10 * 1024;

export function requiredAttributeNames(def: TaskDefinitionBody): string[] {
  const names = new Set<string>();
  if (def.networkMode === 'awsvpc') names.add('ecs.capability.task-eni');
  // Task-level limits are a task cgroup on the instance (ECS_ENABLE_TASK_CPU_MEM_LIMIT).
  const taskCpu = parseCpuUnits(def.cpu) ?? 0;
  if (taskCpu > 0 || (parseMemoryMiB(def.memory) ?? 0) > 0) names.add('ecs.capability.task-cpu-mem-limit');
  if (taskCpu > BASE_TASK_CPU_LIMIT_UNITS) names.add('ecs.capability.increased-task-cpu-limit');
  if (def.pidMode || def.ipcMode) names.add('ecs.capability.pid-ipc-namespace-sharing');
  for (const c of def.containerDefinitions) for (const n of containerNeeds(c)) names.add(n);
  for (const v of def.volumes ?? []) {
    if (v.efsVolumeConfiguration) names.add('ecs.capability.efs');
    if (v.fsxWindowsFileServerVolumeConfiguration) names.add('ecs.capability.fsxWindowsFileServer');
  }
  return [...names];
}

function containerNeeds(c: ContainerDefinition): string[] {
  const out: string[] = [];
  const driver = c.logConfiguration?.logDriver;
  if (driver) out.push(`${CAP}.logging-driver.${driver}`);
  if (c.privileged) out.push(`${CAP}.privileged-container`);
  if (c.portMappings?.some((p) => p.containerPortRange)) out.push('ecs.capability.network.container-port-range');
  // ECS tells Secrets Manager from SSM by the ARN's service; anything else is an SSM parameter name.
  const store = (s: { valueFrom?: string }) => (s.valueFrom?.includes(':secretsmanager:') ? 'asm' : 'ssm');
  for (const s of c.secrets ?? []) out.push(`ecs.capability.secrets.${store(s)}.environment-variables`);
  for (const s of c.logConfiguration?.secretOptions ?? []) out.push(`ecs.capability.secrets.${store(s)}.bootstrap.log-driver`);
  if (c.repositoryCredentials?.credentialsParameter) out.push('ecs.capability.private-registry-authentication.secretsmanager');
  if (c.environmentFiles?.length) out.push('ecs.capability.env-files.s3');
  if (c.firelensConfiguration) out.push(`ecs.capability.firelens.${c.firelensConfiguration.type ?? 'fluentbit'}`);
  return out;
}

/** The `requiresAttributes` list DescribeTaskDefinition shows. */
export function requiresAttributes(def: TaskDefinitionBody): Array<{ name: string }> {
  return requiredAttributeNames(def).map((name) => ({ name }));
}
