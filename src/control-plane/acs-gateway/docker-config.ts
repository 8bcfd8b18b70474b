// The ACS container model has no field for most ContainerDefinition settings; real ECS folds them
// into Docker create-config JSON (`dockerConfig.config` for the container, `.hostConfig` for the
// host side) and the agent merges those into what it sends to Docker. Names and units here are
// Docker Engine API ones (bytes, nanoseconds), not ECS ones.
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { AcsDockerConfig } from '../../protocol/acs-messages.ts';

const MIB = 1024 * 1024;
const SECOND_NS = 1_000_000_000;
/** ECS: "If the swappiness parameter is not specified, a default value of 60 is used" (with maxSwap). */
const DEFAULT_SWAPPINESS = 60;

/** Docker API version the JSON below is written for (what the capture's backend sent). */
export const DOCKER_CONFIG_VERSION = '1.17';

export function dockerConfigFor(c: ContainerDefinition): AcsDockerConfig {
  return { version: DOCKER_CONFIG_VERSION, config: json(containerConfig(c)), hostConfig: json(hostConfig(c)) };
}

function json(o: Record<string, unknown>): string {
  return Object.keys(o).length ? JSON.stringify(o) : '{}';
}

function containerConfig(c: ContainerDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.workingDirectory) out.WorkingDir = c.workingDirectory;
  if (c.user) out.User = c.user;
  if (c.dockerLabels && Object.keys(c.dockerLabels).length) out.Labels = c.dockerLabels;
  if (c.hostname) out.Hostname = c.hostname;
  if (c.pseudoTerminal) out.Tty = true;
  if (c.interactive) out.OpenStdin = true;
  if (c.disableNetworking) out.NetworkDisabled = true;
  if (c.healthCheck?.command?.length) {
    const h = c.healthCheck;
    out.Healthcheck = {
      Test: h.command,
      Interval: (h.interval ?? 30) * SECOND_NS,
      Timeout: (h.timeout ?? 5) * SECOND_NS,
      Retries: h.retries ?? 3,
      StartPeriod: (h.startPeriod ?? 0) * SECOND_NS,
    };
  }
  return out;
}

function hostConfig(c: ContainerDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const lp = c.linuxParameters;
  if (c.memoryReservation) out.MemoryReservation = c.memoryReservation * MIB;
  if (c.ulimits?.length) out.Ulimits = c.ulimits.map((u) => ({ Name: u.name, Soft: u.softLimit, Hard: u.hardLimit }));
  if (c.logConfiguration?.logDriver) {
    out.LogConfig = { Type: c.logConfiguration.logDriver, Config: c.logConfiguration.options ?? {} };
  }
  if (c.privileged) out.Privileged = true;
  if (c.readonlyRootFilesystem) out.ReadonlyRootfs = true;
  if (c.extraHosts?.length) out.ExtraHosts = c.extraHosts.map((h) => `${h.hostname}:${h.ipAddress}`);
  if (c.dnsServers?.length) out.Dns = c.dnsServers;
  if (c.dnsSearchDomains?.length) out.DnsSearch = c.dnsSearchDomains;
  if (c.dockerSecurityOptions?.length) out.SecurityOpt = c.dockerSecurityOptions;
  if (c.systemControls?.length) {
    out.Sysctls = Object.fromEntries(c.systemControls.map((s) => [s.namespace ?? '', s.value ?? '']));
  }
  if (lp?.capabilities?.add?.length) out.CapAdd = lp.capabilities.add;
  if (lp?.capabilities?.drop?.length) out.CapDrop = lp.capabilities.drop;
  if (lp?.initProcessEnabled) out.Init = true;
  if (lp?.sharedMemorySize) out.ShmSize = lp.sharedMemorySize * MIB;
  if (lp?.tmpfs?.length) {
    out.Tmpfs = Object.fromEntries(
      lp.tmpfs.map((t) => [t.containerPath ?? '', [...(t.mountOptions ?? []), `size=${t.size ?? 0}m`].join(',')]),
    );
  }
  if (lp?.devices?.length) {
    out.Devices = lp.devices.map((d) => ({
      PathOnHost: d.hostPath,
      PathInContainer: d.containerPath ?? d.hostPath,
      CgroupPermissions: (d.permissions ?? ['read', 'write', 'mknod']).map((p) => p[0]).join(''),
    }));
  }
  // maxSwap is the swap on top of the hard limit (0: none); swappiness only counts with maxSwap.
  // Without a hard limit there is nothing to add it to: MemorySwap still goes out (never dropped),
  // and the agent refuses the container with that reason.
  if (lp?.maxSwap !== undefined && lp.maxSwap !== null) {
    out.MemorySwap = (lp.maxSwap + (c.memory ?? 0)) * MIB;
    out.MemorySwappiness = lp.swappiness ?? DEFAULT_SWAPPINESS;
  }
  return out;
}
