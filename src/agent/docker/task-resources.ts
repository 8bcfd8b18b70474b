// What a task needs on the host before its containers can be created: the real agent's task
// resources (the task cgroup, checks of shared Docker volumes) plus host port ranges, and the task
// cgroup's removal once the task stopped. The engine calls `prepare` before each container create;
// the task-level part runs once per task (memoised), so when it fails every container fails with
// the same reason and DescribeTasks shows it.
import type { Logger } from 'pino';
import type { AcsContainer, AcsTask, AcsVolume } from '../../protocol/acs-messages.ts';
import type { AgentConfig } from '../config/agent-config.ts';
import type { ContainerConfigOptions } from './container-config.ts';
import { containerPortRanges } from './container-ports.ts';
import { TaskCgroups, taskCgroupPath, taskCgroupSpec } from './task-cgroup.ts';
import { dynamicHostPortRange, HostPortRanges } from './host-port-range.ts';

/** A Docker volume as `docker volume inspect` shows it. */
export interface VolumeInfo { name: string; driver: string; options: Record<string, string>; labels: Record<string, string> }

/** The Docker volume call this needs (DockerodeEngine implements it). Task-scoped volumes are
 *  removed with the task's containers, found by their task label (task-volumes.ts). */
export interface VolumeApi {
  /** undefined when Docker has no volume of that name. */
  inspectVolume(name: string): Promise<VolumeInfo | undefined>;
}

export interface TaskResourcesOptions {
  /** Task cgroups (ECS_ENABLE_TASK_CPU_MEM_LIMIT); undefined: disabled, containers get no CgroupParent. */
  cgroups?: { control: TaskCgroups; cpuPeriodUs: number; pidsLimit?: number };
  /** Why task cgroups are off, for the reason of a task that asks for task-level limits anyway. */
  cgroupsDisabledBecause?: string;
  volumes: VolumeApi;
  ports: HostPortRanges;
  /** ECS_SHARED_VOLUME_MATCH_FULL_CONFIG: an existing shared volume must match driver, options, labels. */
  sharedVolumeMatchFullConfig?: boolean;
  logger: Logger;
}

export type PrepareResult = { ok: true; options: Partial<ContainerConfigOptions> } | { ok: false; reason: string };

const CGROUP_ERROR = "CgroupError: Agent could not create task's platform resources";
const VOLUME_ERROR = "VolumeError: Agent could not create task's volume resources";
/** Attempts at removing a task cgroup whose last container is still on its way out. */
const CGROUP_REMOVE_ATTEMPTS = 10;
const CGROUP_REMOVE_RETRY_MS = 300;

export class TaskResources {
  #o: TaskResourcesOptions;
  #tasks = new Map<string, Promise<string | undefined>>();
  /** Tasks whose stop was handled: the engine reports every later state of a stopped task too. */
  #stopped = new Set<string>();

  constructor(o: TaskResourcesOptions) {
    this.#o = o;
  }

  get taskCgroupsEnabled(): boolean {
    return this.#o.cgroups !== undefined;
  }

  /** Task resources (once per task), then this container's host port ranges. */
  async prepare(task: AcsTask, container: AcsContainer): Promise<PrepareResult> {
    let setup = this.#tasks.get(task.arn);
    if (!setup) {
      setup = this.#setUpTask(task).catch((err: unknown) => `${CGROUP_ERROR}: ${(err as Error).message}`);
      this.#tasks.set(task.arn, setup);
    }
    const failed = await setup;
    if (failed) return { ok: false, reason: failed };
    const hostPortRanges: Record<string, string> = {};
    // Docker publishes no ports in host or none mode: nothing to find for them.
    const publishes = !task.networkMode || task.networkMode === 'bridge';
    for (const r of publishes ? containerPortRanges(container) : []) {
      try {
        hostPortRanges[r.key] = await this.#o.ports.allocate(r.count, r.protocol);
      } catch (err) {
        return { ok: false, reason: `CannotCreateContainerError: containerPortRange ${r.key}: ${(err as Error).message}` };
      }
    }
    return { ok: true, options: { taskCgroups: this.taskCgroupsEnabled, hostPortRanges } };
  }

  /** The task stopped: its cgroup goes (retried while its last containers finish exiting). Once
   *  per task; later calls for the same task do nothing. */
  async taskStopped(task: AcsTask): Promise<void> {
    if (this.#stopped.has(task.arn)) return;
    this.#stopped.add(task.arn);
    this.#tasks.delete(task.arn);
    await this.#removeCgroup(task, CGROUP_REMOVE_ATTEMPTS);
  }

  /** The task's containers were removed and the task forgotten: a cgroup left from the stop goes now. */
  async cleanup(task: AcsTask): Promise<void> {
    this.#stopped.delete(task.arn);
    this.#tasks.delete(task.arn);
    await this.#removeCgroup(task, 1);
  }

  /** undefined when the task may go on; else the reason every container of it fails with. */
  async #setUpTask(task: AcsTask): Promise<string | undefined> {
    const volumeProblem = await this.#checkSharedVolumes(task);
    if (volumeProblem) return `${VOLUME_ERROR}: ${volumeProblem}`;
    const cg = this.#o.cgroups;
    if (!cg) {
      if ((task.cpu ?? 0) > 0 || (task.memory ?? 0) > 0) {
        return `${CGROUP_ERROR}: the task has task-level cpu/memory limits, but task cgroups are off on this instance (${this.#o.cgroupsDisabledBecause ?? 'ECS_ENABLE_TASK_CPU_MEM_LIMIT=false'})`;
      }
      return undefined;
    }
    const spec = taskCgroupSpec(task, { cpuPeriodUs: cg.cpuPeriodUs, ...(cg.pidsLimit ? { pidsLimit: cg.pidsLimit } : {}) });
    if (!spec.ok) return `${CGROUP_ERROR}: ${spec.reason}`;
    const path = taskCgroupPath(task.arn);
    await cg.control.create(path, spec.spec);
    this.#o.logger.info({ taskArn: task.arn, cgroupPath: path, spec: spec.spec }, 'task cgroup ready');
    return undefined;
  }

  /**
   * A shared volume with autoprovision false must already exist (the real agent's
   * addSharedVolumes); with autoprovision true, Docker creates it at the first mount from the
   * task's driver, options and labels, and an existing one is checked only when asked to.
   */
  async #checkSharedVolumes(task: AcsTask): Promise<string | undefined> {
    for (const v of task.volumes ?? []) {
      const dvc = v.dockerVolumeConfiguration;
      if (v.type !== 'docker' || dvc?.scope !== 'shared') continue;
      const name = v.name ?? '';
      let existing: VolumeInfo | undefined;
      try {
        existing = await this.#o.volumes.inspectVolume(name);
      } catch (err) {
        return `cannot inspect volume '${name}': ${(err as Error).message}`;
      }
      if (!existing) {
        if (!dvc.autoprovision) return `volume '${name}' does not exist and autoprovision is set to false`;
        continue;
      }
      if (!this.#o.sharedVolumeMatchFullConfig || !dvc.autoprovision) continue;
      const mismatch = volumeMismatch(existing, dvc);
      if (mismatch) return `existing volume '${name}' does not match the task definition: ${mismatch}`;
    }
    return undefined;
  }

  async #removeCgroup(task: AcsTask, attempts: number): Promise<void> {
    const cg = this.#o.cgroups;
    if (!cg) return;
    const path = taskCgroupPath(task.arn);
    for (let attempt = 1; ; attempt++) {
      const busy = await cg.control.remove(path);
      if (busy.length === 0) {
        this.#o.logger.info({ taskArn: task.arn, cgroupPath: path }, 'task cgroup removed');
        return;
      }
      if (attempt >= attempts) {
        this.#o.logger.warn({ taskArn: task.arn, cgroupPath: path, busy }, 'task cgroup still in use; left for the task cleanup');
        return;
      }
      await new Promise((r) => setTimeout(r, CGROUP_REMOVE_RETRY_MS));
    }
  }
}

function volumeMismatch(existing: VolumeInfo, dvc: NonNullable<AcsVolume['dockerVolumeConfiguration']>): string | undefined {
  const driver = dvc.driver ?? 'local';
  if (existing.driver !== driver) return `driver ${existing.driver}, expected ${driver}`;
  if (!sameMap(existing.labels, dvc.labels ?? {})) return `labels ${JSON.stringify(existing.labels)}, expected ${JSON.stringify(dvc.labels ?? {})}`;
  if (!sameMap(existing.options, dvc.driverOpts ?? {})) return `driver options ${JSON.stringify(existing.options)}, expected ${JSON.stringify(dvc.driverOpts ?? {})}`;
  return undefined;
}

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** The agent settings task resources read. ECS_ENABLE_TASK_CPU_MEM_LIMIT 'default' turns task
 *  cgroups off (with a warning) when the host cannot have them; 'enabled' makes that a start-up
 *  error, as the real agent's cgroupInit. */
export type TaskResourceSettings = Pick<AgentConfig,
  'taskCpuMemLimit' | 'cgroupPath' | 'cgroupCpuPeriodMs' | 'taskPidsLimit' | 'sharedVolumeMatchFullConfig' | 'dynamicHostPortRange'>;

/** Builds the agent's TaskResources from its settings, creating the /ecs cgroup root. */
export async function createTaskResources(settings: TaskResourceSettings, volumes: VolumeApi, logger: Logger): Promise<TaskResources> {
  let cgroups: TaskResourcesOptions['cgroups'];
  let disabledBecause = 'ECS_ENABLE_TASK_CPU_MEM_LIMIT=false';
  if (settings.taskCpuMemLimit !== 'disabled') {
    const control = new TaskCgroups({ mountPath: settings.cgroupPath });
    try {
      await control.init();
      cgroups = { control, cpuPeriodUs: settings.cgroupCpuPeriodMs * 1000, ...(settings.taskPidsLimit > 0 ? { pidsLimit: settings.taskPidsLimit } : {}) };
    } catch (err) {
      if (settings.taskCpuMemLimit === 'enabled') {
        throw new Error(`ECS_ENABLE_TASK_CPU_MEM_LIMIT=true, but the agent cannot set up the '/ecs' cgroup: ${(err as Error).message}`, { cause: err });
      }
      disabledBecause = `no task cgroups on this host: ${(err as Error).message}`;
      logger.warn({ err: (err as Error).message }, "task cpu/memory limits disabled: the agent cannot set up the '/ecs' cgroup");
    }
  }
  const range = await dynamicHostPortRange(settings.dynamicHostPortRange);
  return new TaskResources({
    ...(cgroups ? { cgroups } : { cgroupsDisabledBecause: disabledBecause }),
    volumes,
    ports: new HostPortRanges({ range }),
    sharedVolumeMatchFullConfig: settings.sharedVolumeMatchFullConfig,
    logger: logger.child({ component: 'task-resources' }),
  });
}
