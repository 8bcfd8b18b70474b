// Task-level cpu/memory limits as a task cgroup, as the real agent does with
// ECS_ENABLE_TASK_CPU_MEM_LIMIT (agent/taskresource/cgroup, api/task/task_linux.go): every
// container of a task gets CgroupParent /ecs/<task id>, and that cgroup carries the task's limits,
// so the containers share them. cgroup v1 with Docker's cgroupfs driver only: Docker (runc) makes
// the container's own cgroup under the parent and removes it when the container exits; the parent
// is ours to create (with the limits, before the first container) and to remove (after the last).
import { mkdir, readdir, realpath, rmdir, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AcsTask } from '../../protocol/acs-messages.ts';
import { lastSegment } from '../../protocol/arn.ts';

/** The real agent's cgroup v1 root for tasks (config.DefaultTaskCgroupV1Prefix). */
export const TASK_CGROUP_ROOT = '/ecs';
/** The kernel's bounds for cpu.shares; the real agent clamps to them. */
export const MIN_CPU_SHARES = 2;
export const MAX_CPU_SHARES = 262144;
const MIB = 1024 * 1024;
const CGROUP_V1_MAGIC = 0x27e0eb;
const CGROUP_V2_MAGIC = 0x63677270;

/** What the task cgroup carries; absent fields are left at the kernel's defaults. */
export interface TaskCgroupSpec {
  cpuShares?: number;
  cpuPeriodUs?: number;
  cpuQuotaUs?: number;
  memoryBytes?: number;
  pidsLimit?: number;
}

export type SpecResult = { ok: true; spec: TaskCgroupSpec } | { ok: false; reason: string };

/** `/ecs/<task id>`: the CgroupParent of every container of the task. */
export function taskCgroupPath(taskArn: string): string {
  return `${TASK_CGROUP_ROOT}/${lastSegment(taskArn)}`;
}

/**
 * PURE. Task cpu (vCPUs on the ACS wire) → a CFS quota over `cpuPeriodUs`; no task cpu → shares
 * summed over the containers (each at least 2, the sum at most 262144). Task memory (MiB) → a hard
 * limit, refused when one container alone asks for more (the real agent's buildLinuxMemorySpec).
 */
export function taskCgroupSpec(task: AcsTask, o: { cpuPeriodUs: number; pidsLimit?: number }): SpecResult {
  const spec: TaskCgroupSpec = {};
  if (task.cpu !== undefined && task.cpu > 0) {
    spec.cpuPeriodUs = o.cpuPeriodUs;
    spec.cpuQuotaUs = Math.trunc(task.cpu * o.cpuPeriodUs);
  } else {
    const sum = task.containers.reduce((n, c) => n + Math.max(c.cpu ?? 0, MIN_CPU_SHARES), 0);
    spec.cpuShares = Math.min(sum, MAX_CPU_SHARES);
  }
  if (task.memory !== undefined && task.memory > 0) {
    const over = task.containers.find((c) => (c.memory ?? 0) > task.memory!);
    if (over) {
      return { ok: false, reason: `container ${over.name} has a memory limit (${over.memory} MiB) greater than the task's memory (${task.memory} MiB)` };
    }
    spec.memoryBytes = task.memory * MIB;
  }
  if (o.pidsLimit !== undefined && o.pidsLimit > 0) spec.pidsLimit = o.pidsLimit;
  return { ok: true, spec };
}

/** The files a spec writes, per controller, in the order they must be written (period before quota). */
export function cgroupWrites(spec: TaskCgroupSpec): Array<{ controller: 'cpu' | 'memory' | 'pids'; file: string; value: string }> {
  const out: Array<{ controller: 'cpu' | 'memory' | 'pids'; file: string; value: string }> = [];
  if (spec.cpuShares !== undefined) out.push({ controller: 'cpu', file: 'cpu.shares', value: String(spec.cpuShares) });
  if (spec.cpuPeriodUs !== undefined) out.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(spec.cpuPeriodUs) });
  if (spec.cpuQuotaUs !== undefined) out.push({ controller: 'cpu', file: 'cpu.cfs_quota_us', value: String(spec.cpuQuotaUs) });
  // Children count against the parent's limit only with use_hierarchy (always on in newer kernels).
  out.push({ controller: 'memory', file: 'memory.use_hierarchy', value: '1' });
  if (spec.memoryBytes !== undefined) out.push({ controller: 'memory', file: 'memory.limit_in_bytes', value: String(spec.memoryBytes) });
  if (spec.pidsLimit !== undefined) out.push({ controller: 'pids', file: 'pids.max', value: String(spec.pidsLimit) });
  return out;
}

/** The cgroup v1 hierarchies under ECS_CGROUP_PATH (default /sys/fs/cgroup), written through the filesystem. */
export class TaskCgroups {
  readonly mountPath: string;

  constructor(o: { mountPath: string }) {
    this.mountPath = o.mountPath;
  }

  /** Checks that cpu and memory are cgroup v1 hierarchies we can write, and creates /ecs in them
   *  (the real agent's Control.Init). Throws an Error saying what is missing. */
  async init(): Promise<void> {
    const top = await statfs(this.mountPath).catch((err: Error) => {
      throw new Error(`cannot read ${this.mountPath}: ${err.message}`);
    });
    if (top.type === CGROUP_V2_MAGIC) throw new Error(`${this.mountPath} is a cgroup v2 (unified) hierarchy; Dockhand's task cgroups need cgroup v1`);
    for (const controller of ['cpu', 'memory'] as const) {
      const dir = join(this.mountPath, controller);
      const fs = await statfs(dir).catch(() => undefined);
      if (fs?.type !== CGROUP_V1_MAGIC) throw new Error(`${dir} is not a cgroup v1 ${controller} hierarchy`);
      try {
        await mkdir(join(dir, TASK_CGROUP_ROOT), { recursive: true });
      } catch (err) {
        throw new Error(`cannot create ${join(dir, TASK_CGROUP_ROOT)}: ${(err as Error).message}`, { cause: err });
      }
    }
  }

  /** Creates the task cgroup and writes its limits. Writing is idempotent, so a cgroup that
   *  already exists (an agent restart) gets the same limits again rather than being trusted. */
  async create(path: string, spec: TaskCgroupSpec): Promise<void> {
    const controllers = spec.pidsLimit === undefined ? ['cpu', 'memory'] : ['cpu', 'memory', 'pids'];
    for (const controller of controllers) {
      const dir = join(this.mountPath, controller, path);
      await mkdir(dir, { recursive: true }).catch((err: Error) => {
        throw new Error(`cannot create cgroup ${dir}: ${err.message}`, { cause: err });
      });
    }
    for (const w of cgroupWrites(spec)) {
      const file = join(this.mountPath, w.controller, path, w.file);
      await writeFile(file, w.value).catch((err: Error) => {
        throw new Error(`cannot write ${w.value} to ${file}: ${err.message}`, { cause: err });
      });
    }
  }

  /**
   * Removes the task cgroup from every hierarchy (runc made it in all of them for the containers),
   * children first. Returns the directories still busy (a process still in them), so the caller
   * can retry once the containers are gone.
   */
  async remove(path: string): Promise<string[]> {
    const busy: string[] = [];
    for (const hierarchy of await this.#hierarchies()) {
      const dir = join(hierarchy, path);
      const left = await removeTree(dir);
      busy.push(...left);
    }
    return busy;
  }

  /** Mounted hierarchies, each once (cpu and cpuacct are often links to one "cpu,cpuacct"). */
  async #hierarchies(): Promise<string[]> {
    const names = await readdir(this.mountPath).catch(() => [] as string[]);
    const seen = new Set<string>();
    for (const name of names) {
      const real = await realpath(join(this.mountPath, name)).catch(() => undefined);
      if (real) seen.add(real);
    }
    return [...seen];
  }
}

/** rmdir depth-first; a cgroup's control files vanish with it. Returns what could not be removed. */
async function removeTree(dir: string): Promise<string[]> {
  let entries: Array<{ name: string; isDirectory(): boolean }>;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    return [`${dir} (${(err as Error).message})`];
  }
  const left: string[] = [];
  for (const e of entries) if (e.isDirectory()) left.push(...await removeTree(join(dir, e.name)));
  try {
    await rmdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') left.push(`${dir} (${code ?? (err as Error).message})`);
  }
  return left;
}
