// What a task actually runs: its definition's containers with RunTask/StartTask overrides applied.
// Both placement (resource needs) and the ACS payload (what the agent starts) read this, so the
// two can never disagree about a container's cpu, memory or command.
import type { ContainerDefinition, KeyValuePair, TaskOverride } from '@aws-sdk/client-ecs';
import type { ResourceNeeds, TaskDefinitionBody } from './records.ts';

/** "1024", "1 vCPU", "0.5 vcpu" → CPU units; undefined when absent or unparseable. */
export function parseCpuUnits(value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'number') return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(value);
  if (!m) return undefined;
  return m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1]);
}

/** "512", "1GB", "0.5 gb" → MiB; undefined when absent or unparseable. */
export function parseMemoryMiB(value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'number') return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(gb)?\s*$/i.exec(value);
  if (!m) return undefined;
  return m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1]);
}

export function effectiveContainers(definition: TaskDefinitionBody, overrides: TaskOverride): ContainerDefinition[] {
  return definition.containerDefinitions.map((c) => {
    const o = overrides.containerOverrides?.find((x) => x.name === c.name);
    if (!o) return c;
    return {
      ...c,
      ...(o.command ? { command: o.command } : {}),
      ...(o.environment ? { environment: mergeEnvironment(c.environment ?? [], o.environment) } : {}),
      ...(o.cpu !== undefined ? { cpu: o.cpu } : {}),
      ...(o.memory !== undefined ? { memory: o.memory } : {}),
      ...(o.memoryReservation !== undefined ? { memoryReservation: o.memoryReservation } : {}),
    };
  });
}

function mergeEnvironment(base: KeyValuePair[], extra: KeyValuePair[]): KeyValuePair[] {
  const byName = new Map(base.map((kv) => [kv.name, kv] as const));
  for (const kv of extra) byName.set(kv.name, kv);
  return [...byName.values()];
}

/** Task-level cpu/memory after overrides, as ECS normalises them (units and MiB, as strings). */
export function taskLevelSizes(definition: TaskDefinitionBody, overrides: TaskOverride): { cpu?: string; memory?: string } {
  const cpu = parseCpuUnits(overrides.cpu ?? definition.cpu);
  const memory = parseMemoryMiB(overrides.memory ?? definition.memory);
  return { ...(cpu !== undefined ? { cpu: String(cpu) } : {}), ...(memory !== undefined ? { memory: String(memory) } : {}) };
}

/**
 * What a task reserves on its instance: task-level cpu/memory when set, else the sums over its
 * containers (memory: the hard limit, else the soft reservation); static host ports by protocol.
 * In `host` network mode a mapping's host port is its container port; in bridge, hostPort 0 or
 * absent is dynamic (Docker picks from the ephemeral range) and reserves nothing.
 */
export function computeNeeds(definition: TaskDefinitionBody, overrides: TaskOverride): ResourceNeeds {
  const containers = effectiveContainers(definition, overrides);
  const sizes = taskLevelSizes(definition, overrides);
  const sum = (f: (c: ContainerDefinition) => number) => containers.reduce((n, c) => n + f(c), 0);
  const ports: number[] = [];
  const portsUdp: number[] = [];
  const hostMode = definition.networkMode === 'host';
  const gpus = sum((c) => (c.resourceRequirements ?? []).filter((r) => r.type === 'GPU').reduce((n, r) => n + (Number(r.value) || 0), 0));
  for (const c of containers) {
    for (const pm of c.portMappings ?? []) {
      const hostPort = hostMode ? (pm.hostPort || pm.containerPort) : pm.hostPort;
      if (!hostPort || hostPort <= 0) continue;
      (pm.protocol === 'udp' ? portsUdp : ports).push(hostPort);
    }
  }
  return {
    cpu: sizes.cpu !== undefined ? Number(sizes.cpu) : sum((c) => c.cpu ?? 0),
    memory: sizes.memory !== undefined ? Number(sizes.memory) : sum((c) => c.memory ?? c.memoryReservation ?? 0),
    ports,
    portsUdp,
    // GPUs are placed like ECS places them, against the instance's registered GPU ids; an instance
    // without any (every Dockhand agent) refuses the task with RESOURCE:GPU instead of ignoring it.
    ...(gpus > 0 ? { gpus } : {}),
  };
}
