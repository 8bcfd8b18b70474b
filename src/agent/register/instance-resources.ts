// What this host offers to tasks, computed as the real agent does: CPU = cores × 1024, MEMORY =
// total MiB − ECS_RESERVED_MEMORY, PORTS / PORTS_UDP = the reserved ports (ports tasks may not take).
import { cpus, totalmem } from 'node:os';
import type { Resource } from '@aws-sdk/client-ecs';

export interface HostFacts {
  cpuCores: number;
  memoryMiB: number;
  /** Node's os.arch() mapped to ECS's ecs.cpu-architecture values. */
  cpuArchitecture: string;
}

export async function readHostFacts(): Promise<HostFacts> {
  // Logical CPUs and /proc/meminfo's MemTotal: what systeminformation's cpu().cores and
  // mem().total returned on Linux, without its ~3 MB of modules and the `lscpu` it runs.
  const arch = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'arm64' : process.arch;
  return { cpuCores: cpus().length, memoryMiB: Math.floor(totalmem() / 1048576), cpuArchitecture: arch };
}

export function totalResources(host: HostFacts, reserved: { memoryMiB: number; ports: number[]; portsUdp: number[] }): Resource[] {
  return [
    { name: 'CPU', type: 'INTEGER', integerValue: host.cpuCores * 1024 },
    { name: 'MEMORY', type: 'INTEGER', integerValue: Math.max(0, host.memoryMiB - reserved.memoryMiB) },
    { name: 'PORTS', type: 'STRINGSET', stringSetValue: reserved.ports.map(String) },
    { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: reserved.portsUdp.map(String) },
  ];
}
