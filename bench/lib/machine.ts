// What a result depends on besides the code: the machine, the Docker engine, Node and the
// libraries, the git commit (and whether the tree had changes), and how busy the host was.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import type Docker from 'dockerode';
import { REPO_ROOT } from './agent-process.ts';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  docker: { version: string; apiVersion: string; storageDriver: string; cgroupDriver: string; cgroupVersion: string };
  node: string;
  libraries: Record<string, string>;
  git: { commit: string; dirty: boolean };
  /** 1-minute load average when the run started. */
  loadAvgStart: number;
  /** Running containers that are not this run's (other people's tests) when the run started. */
  foreignContainersStart: number;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function libraryVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(`${REPO_ROOT}node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function machineInfo(docker: Docker, version: Docker.DockerVersion, foreignContainers: number): Promise<MachineInfo> {
  const info = (await docker.info()) as { Driver?: string; CgroupDriver?: string; CgroupVersion?: string };
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    docker: {
      version: version.Version, apiVersion: version.ApiVersion,
      storageDriver: info.Driver ?? '', cgroupDriver: info.CgroupDriver ?? '', cgroupVersion: info.CgroupVersion ?? '',
    },
    node: process.version,
    libraries: Object.fromEntries(['dockerode', 'ws', 'pino', '@aws-sdk/client-ecs', '@smithy/signature-v4'].map((n) => [n, libraryVersion(n)])),
    git: { commit: git(['rev-parse', 'HEAD']) || 'unknown', dirty: git(['status', '--porcelain']).length > 0 },
    loadAvgStart: loadavg()[0] ?? 0,
    foreignContainersStart: foreignContainers,
  };
}
