// A task record + its definition → the AcsTask an agent receives in a PayloadMessage. Overrides
// are applied here (effectiveContainers), so the agent gets the final command/env/limits and the
// task's `overrides` is "{}", as in the capture.
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { AcsContainer, AcsContainerDependency, AcsPortMapping, AcsTask, AcsVolume } from '../../protocol/acs-messages.ts';
import { effectiveContainers } from '../model/effective-definition.ts';
import type { TaskDefinitionRecord, TaskRecord } from '../model/records.ts';
import { dockerConfigFor } from './docker-config.ts';

export function toAcsTask(o: { task: TaskRecord; taskDefinition: TaskDefinitionRecord; clusterArn: string; accountId: string }): AcsTask {
  const { task, taskDefinition: td } = o;
  const def = td.definition;
  const containers = effectiveContainers(def, task.overrides).map((c) => {
    const arn = task.containers.find((r) => r.name === c.name)?.containerArn;
    return toAcsContainer(c, arn);
  });
  return {
    arn: task.arn,
    taskClusterArn: o.clusterArn,
    family: td.family,
    version: String(td.revision),
    desiredStatus: task.desiredStatus,
    taskDefinitionAccountId: o.accountId,
    launchType: task.launchType,
    // Service tasks carry their service's name, as real ACS payloads do (the agent's metadata shows it).
    ...(task.group.startsWith('service:') ? { serviceName: task.group.slice('service:'.length) } : {}),
    networkMode: def.networkMode ?? 'bridge',
    // The ACS wire carries task cpu in vCPUs (a double), memory in MiB.
    ...(task.cpu !== undefined ? { cpu: Number(task.cpu) / 1024 } : {}),
    ...(task.memory !== undefined ? { memory: Number(task.memory) } : {}),
    ...(def.pidMode ? { pidMode: def.pidMode } : {}),
    ...(def.ipcMode ? { ipcMode: def.ipcMode } : {}),
    overrides: '{}',
    volumes: (def.volumes ?? []).map(toAcsVolume),
    containers,
    elasticNetworkInterfaces: [],
    attachments: [],
    associations: [],
  };
}

function toAcsContainer(c: ContainerDefinition, containerArn: string | undefined): AcsContainer {
  const portMappings: AcsPortMapping[] = (c.portMappings ?? []).map((pm) => ({
    ...(pm.containerPort !== undefined ? { containerPort: pm.containerPort } : {}),
    hostPort: pm.hostPort ?? 0,
    ...(pm.containerPortRange ? { containerPortRange: pm.containerPortRange } : {}),
    protocol: pm.protocol === 'udp' ? 'udp' : 'tcp',
  }));
  return {
    name: c.name ?? '',
    ...(containerArn ? { containerArn } : {}),
    image: c.image ?? '',
    command: c.command ?? [],
    entryPoint: c.entryPoint ?? [],
    cpu: c.cpu ?? 0,
    memory: c.memory ?? 0, // hard limit only; a soft reservation travels in hostConfig
    essential: c.essential ?? true,
    environment: Object.fromEntries((c.environment ?? []).map((kv) => [kv.name ?? '', kv.value ?? ''])),
    // Forwarded as-is (never dropped): placement keeps such tasks off instances without the
    // capability, and an agent that receives them anyway fails the container with a reason.
    environmentFiles: (c.environmentFiles ?? []).map((f) => ({ value: f.value, type: 's3' as const })),
    links: c.links ?? [],
    mountPoints: (c.mountPoints ?? []).map((m) => ({ sourceVolume: m.sourceVolume, containerPath: m.containerPath, readOnly: m.readOnly ?? false })),
    portMappings,
    volumesFrom: (c.volumesFrom ?? []).map((v) => ({ sourceContainer: v.sourceContainer, readOnly: v.readOnly ?? false })),
    // Log driver secretOptions travel as secrets aimed at the log driver, as ACS sends them.
    secrets: [
      ...(c.secrets ?? []).map((x) => acsSecret(x, 'ENVIRONMENT')),
      ...(c.logConfiguration?.secretOptions ?? []).map((x) => acsSecret(x, 'LOG_DRIVER')),
    ],
    dependsOn: (c.dependsOn ?? []).map((d) => ({ containerName: d.containerName ?? '', condition: d.condition as AcsContainerDependency['condition'] })),
    managedAgents: [],
    ...(c.privileged ? { privileged: true } : {}),
    ...(c.repositoryCredentials?.credentialsParameter
      ? { registryAuthentication: { type: 'asm', asmAuthData: { credentialsParameter: c.repositoryCredentials.credentialsParameter } } }
      : {}),
    ...(c.healthCheck?.command?.length ? { healthCheckType: 'docker' as const } : {}),
    ...(c.startTimeout !== undefined ? { startTimeout: c.startTimeout } : {}),
    ...(c.stopTimeout !== undefined ? { stopTimeout: c.stopTimeout } : {}),
    overrides: '{}',
    logsAuthStrategy: 'DEFAULT',
    dockerConfig: dockerConfigFor(c),
  };
}

function acsSecret(x: { name?: string; valueFrom?: string }, target: 'ENVIRONMENT' | 'LOG_DRIVER'): Record<string, unknown> {
  const provider = x.valueFrom?.includes(':secretsmanager:') ? 'asm' : 'ssm';
  return { name: x.name, valueFrom: x.valueFrom, type: 'ENVIRONMENT', provider, ...(target === 'LOG_DRIVER' ? { target } : {}) };
}

function toAcsVolume(v: Record<string, unknown>): AcsVolume {
  const name = typeof v.name === 'string' ? v.name : undefined;
  const dvc = v.dockerVolumeConfiguration as AcsVolume['dockerVolumeConfiguration'] | undefined;
  if (dvc) return { ...(name ? { name } : {}), type: 'docker', dockerVolumeConfiguration: dvc };
  // Kept as their own types so that the agent refuses them, never mistakes them for a host volume.
  if (v.efsVolumeConfiguration) return { ...(name ? { name } : {}), type: 'efs' };
  if (v.fsxWindowsFileServerVolumeConfiguration) return { ...(name ? { name } : {}), type: 'fsxWindowsFileServer' };
  const host = v.host as { sourcePath?: string } | undefined;
  return { ...(name ? { name } : {}), type: 'host', host: host?.sourcePath ? { sourcePath: host.sourcePath } : {} };
}
