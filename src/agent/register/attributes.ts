// The attributes this instance registers with. We advertise only what Dockhand honours today;
// ECS places tasks that need a capability only on instances that advertise it, so claiming one we
// do not implement would fail tasks later instead of at placement.
import type { Attribute } from '@aws-sdk/client-ecs';

export interface AttributeFacts {
  /** Highest Docker remote API version the engine serves, e.g. "1.41". */
  dockerApiVersion: string;
  loggingDrivers: string[];
  external: boolean;
  cpuArchitecture: string;
  custom: Record<string, string>;
  /** Task cgroups work here (ECS_ENABLE_TASK_CPU_MEM_LIMIT): task-level cpu/memory are honoured. */
  taskCpuMemLimit?: boolean;
}

const CAP = 'com.amazonaws.ecs.capability';
const LOWEST_DOCKER_API_MINOR = 17;

export function instanceAttributes(f: AttributeFacts): Attribute[] {
  const names: string[] = [
    'ecs.capability.network.container-port-range',
    `${CAP}.privileged-container`,
  ];
  const maxMinor = Number(f.dockerApiVersion.split('.')[1] ?? LOWEST_DOCKER_API_MINOR);
  for (let minor = LOWEST_DOCKER_API_MINOR; minor <= maxMinor; minor++) names.push(`${CAP}.docker-remote-api.1.${minor}`);
  for (const driver of f.loggingDrivers) names.push(`${CAP}.logging-driver.${driver}`);
  if (f.taskCpuMemLimit) names.push('ecs.capability.task-cpu-mem-limit', 'ecs.capability.increased-task-cpu-limit');
  // Docker volumes with the built-in local driver (dockerVolumeConfiguration).
  names.push('ecs.capability.docker-plugin.local');
  if (f.external) names.push('ecs.capability.external');
  const attrs: Attribute[] = names.map((name) => ({ name }));
  attrs.push(
    { name: 'ecs.os-type', value: 'linux' },
    { name: 'ecs.os-family', value: 'LINUX' },
    { name: 'ecs.cpu-architecture', value: f.cpuArchitecture },
  );
  for (const [name, value] of Object.entries(f.custom)) attrs.push({ name, value });
  return attrs;
}
