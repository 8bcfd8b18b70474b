// One Docker stats sample (GET /containers/{id}/stats?stream=false), reduced to the numbers TCS
// needs. Pure: the adapter fetches, this parses.

export interface StatsSample {
  at: number; // epoch ms
  /** Cumulative CPU counters, as Docker reports them (cpu_stats). */
  cpuTotalNs: number;
  systemCpuNs: number;
  onlineCpus: number;
  memoryBytes: number;
  rxBytes: number; txBytes: number; rxPackets: number; txPackets: number;
  rxDropped: number; txDropped: number; rxErrors: number; txErrors: number;
  readBytes: number; writeBytes: number;
}

interface DockerStatsJson {
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats?: { usage?: number; stats?: { cache?: number; inactive_file?: number } };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number; rx_packets?: number; tx_packets?: number; rx_dropped?: number; tx_dropped?: number; rx_errors?: number; tx_errors?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op?: string; value?: number }> | null };
}

export function parseDockerStats(json: unknown, now = Date.now()): StatsSample {
  const s = (json ?? {}) as DockerStatsJson;
  const nets = Object.values(s.networks ?? {});
  const sum = (pick: (n: (typeof nets)[number]) => number | undefined): number => nets.reduce((a, n) => a + (pick(n) ?? 0), 0);
  const io = s.blkio_stats?.io_service_bytes_recursive ?? [];
  const ioSum = (op: string): number => io.filter((e) => e.op?.toLowerCase() === op).reduce((a, e) => a + (e.value ?? 0), 0);
  const mem = s.memory_stats ?? {};
  // Like `docker stats`: page cache is not the container's working memory.
  const cache = mem.stats?.inactive_file ?? mem.stats?.cache ?? 0;
  const readAt = s.read ? Date.parse(s.read) : NaN;
  return {
    at: Number.isFinite(readAt) && readAt > 0 ? readAt : now,
    cpuTotalNs: s.cpu_stats?.cpu_usage?.total_usage ?? 0,
    systemCpuNs: s.cpu_stats?.system_cpu_usage ?? 0,
    onlineCpus: s.cpu_stats?.online_cpus ?? s.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 1,
    memoryBytes: Math.max(0, (mem.usage ?? 0) - cache),
    rxBytes: sum((n) => n.rx_bytes), txBytes: sum((n) => n.tx_bytes),
    rxPackets: sum((n) => n.rx_packets), txPackets: sum((n) => n.tx_packets),
    rxDropped: sum((n) => n.rx_dropped), txDropped: sum((n) => n.tx_dropped),
    rxErrors: sum((n) => n.rx_errors), txErrors: sum((n) => n.tx_errors),
    readBytes: ioSum('read'), writeBytes: ioSum('write'),
  };
}
