// Host ports for a `containerPortRange`, as the real agent picks them (agent/utils/ephemeral_ports.go):
// N contiguous ports that nothing listens on, from the dynamic host port range
// (ECS_DYNAMIC_HOST_PORT_RANGE, else the kernel's ephemeral range), searching on from the last port
// handed out so that two containers created back to back (neither bound yet) never get the same ones.
// Unlike the real agent we search downward from the top of the range: Docker hands out the task's
// singular dynamic ports (hostPort 0) from the bottom of the same range upward, one after another,
// so a block probed free before a sibling container started would otherwise be the very ports Docker
// gives that sibling (seen on a freshly started dockerd: "Bind for 0.0.0.0:32768 failed").
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';

/** The real agent's fallback when the kernel's range cannot be read. */
export const DEFAULT_DYNAMIC_PORT_RANGE = { start: 49153, end: 65535 } as const;
const KERNEL_RANGE_FILE = '/proc/sys/net/ipv4/ip_local_port_range';

export interface PortRange { start: number; end: number }

/** "start-end" → a range, or undefined when it is not one (1 ≤ start ≤ end ≤ 65535). */
export function parsePortRange(text: string): PortRange | undefined {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const [start, end] = [Number(m[1]), Number(m[2])];
  return start >= 1 && start <= end && end <= 65535 ? { start, end } : undefined;
}

/** ECS_DYNAMIC_HOST_PORT_RANGE when set, else the kernel's ephemeral range, else 49153-65535. */
export async function dynamicHostPortRange(configured: string | undefined): Promise<PortRange> {
  if (configured) {
    const r = parsePortRange(configured);
    if (r) return r;
  }
  try {
    const [start, end] = (await readFile(KERNEL_RANGE_FILE, 'utf8')).trim().split(/\s+/).map(Number);
    if (start && end && start <= end) return { start, end };
  } catch { /* not Linux, or no /proc: the default */ }
  return { ...DEFAULT_DYNAMIC_PORT_RANGE };
}

export type PortProbe = (port: number, protocol: 'tcp' | 'udp') => Promise<boolean>;

/** Whether nothing listens on the port: we can bind it ourselves (and let it go at once). */
export const probePort: PortProbe = (port, protocol) => new Promise((resolve) => {
  if (protocol === 'udp') {
    const s = createSocket('udp4');
    s.once('error', () => { s.close(); resolve(false); });
    s.bind(port, () => s.close(() => resolve(true)));
    return;
  }
  const srv = createServer();
  srv.once('error', () => resolve(false));
  srv.listen({ port, host: '0.0.0.0', exclusive: true }, () => srv.close(() => resolve(true)));
});

export class HostPortRanges {
  #range: PortRange;
  #probe: PortProbe;
  #last = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(o: { range: PortRange; probe?: PortProbe }) {
    this.#range = o.range;
    this.#probe = o.probe ?? probePort;
  }

  get range(): PortRange {
    return { ...this.#range };
  }

  /** `count` contiguous free host ports as "first-last"; rejects when the range has none left.
   *  One search at a time, so concurrent containers never get overlapping ranges. */
  allocate(count: number, protocol: 'tcp' | 'udp'): Promise<string> {
    const run = this.#queue.then(() => this.#search(count, protocol));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #search(count: number, protocol: 'tcp' | 'udp'): Promise<string> {
    const { start, end } = this.#range;
    // #last is the lowest port of the previous block: go on below it, then wrap round to the top.
    const from = this.#last > start && this.#last <= end ? this.#last - 1 : end;
    const found = await this.#scanDown(count, from, start, protocol) ??
      (from < end ? await this.#scanDown(count, end, Math.max(start, from - count + 2), protocol) : undefined);
    if (!found) throw new Error(`${count} contiguous host ports are unavailable in the dynamic host port range ${start}-${end} (${protocol})`);
    this.#last = found.first;
    return `${found.first}-${found.last}`;
  }

  /** The highest block of `count` free ports within [to, from], probing from `from` down. */
  async #scanDown(count: number, from: number, to: number, protocol: 'tcp' | 'udp'): Promise<{ first: number; last: number } | undefined> {
    let last = -1;
    for (let port = from; port >= to; port--) {
      if (!(await this.#probe(port, protocol))) {
        last = -1;
        continue;
      }
      if (last < 0) last = port;
      if (last - port + 1 === count) return { first: port, last };
    }
    return undefined;
  }
}
