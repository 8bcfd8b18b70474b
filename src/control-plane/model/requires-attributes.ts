// PURE: the container-instance attributes a task definition needs, as ECS computes them at
// RegisterTaskDefinition (`requiresAttributes`). Placement then only considers instances that
// advertise every one of them, so a task using something this host cannot honour (awsvpc without
// CNI, Secrets Manager/SSM secrets, S3 environment files, FireLens, EFS/FSx, a log driver that is
// not in ECS_AVAILABLE_LOGGING_DRIVERS) fails at RunTask with reason ATTRIBUTE rather than being
// sent to an agent that would ignore part of it. Names are the real agent's.
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { TaskDefinitionBody } from './records.ts';

const CAP = 'com.amazonaws.ecs.capability';

export function requiredAttributeNames(def: TaskDefinitionBody): string[] {
  const names = new Set<string>();
  if (def.networkMode === 'awsvpc') names.add('ecs.capability.task-eni');
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
  for (const s of [...(c.secrets ?? []), ...(c.logConfiguration?.secretOptions ?? [])]) {
    // ECS tells Secrets Manager from SSM by the ARN's service; anything else is an SSM parameter name.
    out.push(s.valueFrom?.startsWith('arn:aws:secretsmanager:') || s.valueFrom?.includes(':secretsmanager:')
      ? 'ecs.capability.secrets.asm.environment-variables'
      : 'ecs.capability.secrets.ssm.environment-variables');
  }
  if (c.environmentFiles?.length) out.push('ecs.capability.env-files.s3');
  if (c.firelensConfiguration) out.push(`ecs.capability.firelens.${c.firelensConfiguration.type ?? 'fluentbit'}`);
  return out;
}

/** The `requiresAttributes` list DescribeTaskDefinition shows. */
export function requiresAttributes(def: TaskDefinitionBody): Array<{ name: string }> {
  return requiredAttributeNames(def).map((name) => ({ name }));
}
