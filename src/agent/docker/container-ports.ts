// PURE: a container's port mappings → Docker ExposedPorts / PortBindings. A fixed hostPort is kept;
// hostPort 0 or absent lets Docker pick one from its ephemeral range; a containerPortRange maps
// port by port onto the contiguous host range the agent found for it (host-port-range.ts), as the
// real agent does, so that the whole range can be reported as one binding.
import type { AcsContainer, AcsPortMapping } from '../../protocol/acs-messages.ts';
import type { NetworkBinding } from '../../protocol/state-change.ts';

export interface DockerPorts {
  exposed?: Record<string, Record<string, never>>;
  bindings?: Record<string, Array<{ HostPort: string }>>;
}

/** The ranges of a container that need host ports, keyed "<containerPortRange>/<protocol>". */
export interface PortRangeNeed { key: string; count: number; protocol: 'tcp' | 'udp' }

export type PortsResult = { ok: true; value: DockerPorts } | { ok: false; reason: string };

export function containerPortRanges(c: AcsContainer): PortRangeNeed[] {
  const out: PortRangeNeed[] = [];
  for (const m of c.portMappings ?? []) {
    if (!m.containerPortRange) continue;
    const r = parseRange(m.containerPortRange);
    if (!r) continue; // reported by dockerPorts
    const protocol = m.protocol ?? 'tcp';
    out.push({ key: rangeKey(m.containerPortRange, protocol), count: r.to - r.from + 1, protocol });
  }
  return out;
}

/** `hostPortRanges`: what the agent allocated for each range (absent: Docker picks each port). */
export function dockerPorts(mappings: AcsPortMapping[], hostPortRanges: Record<string, string> = {}): PortsResult {
  if (mappings.length === 0) return { ok: true, value: {} };
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, Array<{ HostPort: string }>> = {};
  const bind = (port: number, proto: string, hostPort: string) => {
    const key = `${port}/${proto}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostPort: hostPort });
  };
  for (const m of mappings) {
    const proto = m.protocol ?? 'tcp';
    if (m.containerPortRange) {
      const r = parseRange(m.containerPortRange);
      if (!r) return { ok: false, reason: `CannotCreateContainerError: invalid containerPortRange "${m.containerPortRange}"` };
      const host = parseRange(hostPortRanges[rangeKey(m.containerPortRange, proto)] ?? '');
      if (host && host.to - host.from !== r.to - r.from) {
        return { ok: false, reason: `CannotCreateContainerError: host port range ${host.from}-${host.to} does not fit containerPortRange ${m.containerPortRange}` };
      }
      for (let i = 0; i <= r.to - r.from; i++) bind(r.from + i, proto, host ? String(host.from + i) : '');
      continue;
    }
    if (m.containerPort === undefined) continue;
    bind(m.containerPort, proto, m.hostPort ? String(m.hostPort) : '');
  }
  return { ok: true, value: { exposed, bindings } };
}

function rangeKey(range: string, protocol: string): string {
  return `${range.trim()}/${protocol}`;
}

function parseRange(text: string): { from: number; to: number } | undefined {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const [from, to] = [Number(m[1]), Number(m[2])];
  return from >= 1 && from <= to && to <= 65535 ? { from, to } : undefined;
}

/**
 * Docker reports a published range port by port; ECS shows it as one binding per range
 * ({containerPortRange, hostPortRange}), as the real agent reports it. Only a range whose host
 * ports came out contiguous and complete is folded; anything else stays port by port.
 */
export function foldRangeBindings(bindings: NetworkBinding[], c: AcsContainer | undefined): NetworkBinding[] {
  const ranges = (c?.portMappings ?? []).flatMap((m) => {
    const r = m.containerPortRange ? parseRange(m.containerPortRange) : undefined;
    return r ? [{ ...r, text: m.containerPortRange!.trim(), protocol: m.protocol ?? 'tcp' }] : [];
  });
  if (ranges.length === 0) return bindings;
  const groups = new Map<string, { range: (typeof ranges)[number]; bindIP: string; members: NetworkBinding[] }>();
  const rest: NetworkBinding[] = [];
  for (const b of bindings) {
    const port = b.containerPort ?? -1;
    const range = ranges.find((r) => r.protocol === (b.protocol ?? 'tcp') && port >= r.from && port <= r.to);
    if (!range) {
      rest.push(b);
      continue;
    }
    const key = `${range.text}/${range.protocol}/${b.bindIP}`;
    const g = groups.get(key) ?? { range, bindIP: b.bindIP, members: [] };
    g.members.push(b);
    groups.set(key, g);
  }
  const folded: NetworkBinding[] = [];
  for (const { range, bindIP, members } of groups.values()) {
    const offsets = new Set(members.map((m) => (m.hostPort ?? 0) - (m.containerPort ?? 0)));
    const first = Math.min(...members.map((m) => m.hostPort ?? 0));
    if (offsets.size !== 1 || members.length !== range.to - range.from + 1) {
      folded.push(...members);
      continue;
    }
    folded.push({ bindIP, protocol: range.protocol, containerPortRange: range.text, hostPortRange: `${first}-${first + range.to - range.from}` });
  }
  return [...rest, ...folded];
}
