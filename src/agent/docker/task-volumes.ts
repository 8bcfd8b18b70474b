// PURE: a container's mount points, volumesFrom and links → Docker HostConfig Binds / Mounts /
// VolumesFrom / Links, as the real agent builds them. Host volumes with a sourcePath are bind
// mounts; Docker volumes (and host volumes without a sourcePath, which ECS backs with an
// agent-managed local volume) go in `Mounts` with `VolumeOptions`, so Docker creates the named
// volume on first use with the driver, options and labels of the task definition.
import { createHash } from 'node:crypto';
import type { AcsContainer, AcsTask, AcsVolume } from '../../protocol/acs-messages.ts';

/** Label on task-scoped volumes so they can be found (and cleaned up) by task. */
export const VOLUME_TASK_LABEL = 'com.amazonaws.ecs.task-arn';

export interface DockerMount {
  Type: 'volume';
  Source: string;
  Target: string;
  ReadOnly: boolean;
  VolumeOptions: { DriverConfig: { Name: string; Options: Record<string, string> }; Labels: Record<string, string> };
}

export interface TaskMounts {
  Binds?: string[];
  Mounts?: DockerMount[];
  VolumesFrom?: string[];
  Links?: string[];
}

export type MountsResult = { ok: true; value: TaskMounts } | { ok: false; reason: string };

/**
 * The Docker name of a task volume: a shared volume is the volume itself, by name, across tasks;
 * a task-scoped one is unique per task (a function of the task ARN, like container names), so two
 * copies of a task never share it and a restarted agent finds the same one.
 */
export function taskVolumeName(task: AcsTask, volume: AcsVolume): string {
  const name = volume.name ?? '';
  if (volume.type === 'docker' && volume.dockerVolumeConfiguration?.scope === 'shared') return name;
  const suffix = createHash('sha256').update(`${task.arn}\nvolume\n${name}`).digest('hex').slice(0, 20);
  return `ecs-${task.family}-${task.version}-${name}-${suffix}`.replace(/[^a-zA-Z0-9_.-]/g, '');
}

/** `dockerNames`: each container of the task → its Docker name (for volumesFrom and links). */
export function taskMounts(task: AcsTask, c: AcsContainer, dockerNames: Record<string, string>): MountsResult {
  const volumes = new Map((task.volumes ?? []).map((v) => [v.name ?? '', v]));
  const binds: string[] = [];
  const mounts: DockerMount[] = [];
  for (const mp of c.mountPoints ?? []) {
    const v = volumes.get(mp.sourceVolume ?? '');
    if (!v) return fail(`mount point ${mp.containerPath} refers to volume "${mp.sourceVolume}", which the task does not define`);
    if (!mp.containerPath) return fail(`mount point of volume "${mp.sourceVolume}" has no containerPath`);
    const readOnly = mp.readOnly ?? false;
    if (v.type === 'host' || v.type === undefined) {
      if (v.host?.sourcePath) {
        binds.push(`${v.host.sourcePath}:${mp.containerPath}${readOnly ? ':ro' : ''}`);
        continue;
      }
      mounts.push(volumeMount(task, v, mp.containerPath, readOnly));
    } else if (v.type === 'docker') {
      mounts.push(volumeMount(task, v, mp.containerPath, readOnly));
    } else {
      return fail(`volume "${v.name}" is of type ${v.type}, which this agent does not support`);
    }
  }
  const volumesFrom: string[] = [];
  for (const vf of c.volumesFrom ?? []) {
    const name = dockerNames[vf.sourceContainer ?? ''];
    if (!name) return fail(`volumesFrom refers to container "${vf.sourceContainer}", which is not in the task`);
    volumesFrom.push(`${name}${vf.readOnly ? ':ro' : ''}`);
  }
  const links: string[] = [];
  for (const link of c.links ?? []) {
    // "name" or "name:alias"; Docker wants "<docker name>:<alias>", the alias defaulting to the ECS name.
    const [target = '', alias = target] = link.split(':');
    const name = dockerNames[target];
    if (!name) return fail(`link "${link}" refers to container "${target}", which is not in the task`);
    links.push(`${name}:${alias}`);
  }
  return {
    ok: true,
    value: {
      ...(binds.length ? { Binds: binds } : {}),
      ...(mounts.length ? { Mounts: mounts } : {}),
      ...(volumesFrom.length ? { VolumesFrom: volumesFrom } : {}),
      ...(links.length ? { Links: links } : {}),
    },
  };
}

function volumeMount(task: AcsTask, v: AcsVolume, target: string, readOnly: boolean): DockerMount {
  const dvc = v.dockerVolumeConfiguration ?? {};
  const taskScoped = !(v.type === 'docker' && dvc.scope === 'shared');
  return {
    Type: 'volume',
    Source: taskVolumeName(task, v),
    Target: target,
    ReadOnly: readOnly,
    VolumeOptions: {
      DriverConfig: { Name: dvc.driver ?? 'local', Options: { ...(dvc.driverOpts ?? {}) } },
      Labels: { ...(dvc.labels ?? {}), ...(taskScoped ? { [VOLUME_TASK_LABEL]: task.arn } : {}) },
    },
  };
}

function fail(detail: string): MountsResult {
  return { ok: false, reason: `CannotCreateContainerError: ${detail}` };
}
