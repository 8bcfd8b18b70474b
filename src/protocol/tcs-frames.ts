// TCS (telemetry) frames. Unlike ACS, every frame the agent sends carries its own SigV4 header
// block before the JSON (capture: `frameHeaders`): "Authorization: …\r\nHost: …\r\nX-Amz-Date: …
// \r\n\r\n{json}", signed over host;x-amz-date. The control plane strips the block and checks its
// shape; the agent builds it with signTcsFrame.
import { ecsWebsocketSigner, type SigningCredentials } from './sigv4-websocket.ts';
import type { TaskHealth } from './tcs-health.ts';

export interface StatSet { max: number; min: number; sampleCount: number; sum: number }
export interface UlongStatSet extends StatSet { overflowMax: number; overflowMin: number; overflowSum: number }

export interface ContainerMetric {
  containerName: string;
  cpuStatsSet?: StatSet;
  memoryStatsSet?: StatSet;
  networkStatsSet?: Record<string, StatSet | UlongStatSet>;
  storageStatsSet?: { readSizeBytes?: UlongStatSet; writeSizeBytes?: UlongStatSet };
}

export interface TaskMetric {
  taskArn: string;
  taskDefinitionFamily: string;
  taskDefinitionVersion: string;
  containerMetrics: ContainerMetric[];
}

export type TcsOutbound =
  | { type: 'PublishMetricsRequest'; message: { metadata: { cluster: string; containerInstance: string; fin: boolean; idle: boolean; messageId: string }; taskMetrics?: TaskMetric[]; timestamp: number } }
  | { type: 'PublishInstanceStatusRequest'; message: { metadata: { cluster: string; containerInstance: string; requestId: string }; statuses: Array<{ type: string; status: string; lastStatusChange: number; lastUpdated: number }>; timestamp: number } }
  | { type: 'PublishHealthRequest'; message: { metadata: { cluster: string; containerInstance: string; fin: boolean; messageId: string }; tasks: TaskHealth[]; timestamp: number } };

export type TcsInbound =
  | { type: 'AckPublishMetric'; message: { message: string } }
  | { type: 'AckPublishInstanceStatus'; message: { message: string } }
  | { type: 'AckPublishHealth'; message: { message: string } }
  | { type: 'HeartbeatMessage'; message: { healthy: boolean } };

/** Prepends the signed header block the real agent sends with every TCS frame. */
export async function signTcsFrame(o: { host: string; region: string; credentials: SigningCredentials; json: string; date?: Date }): Promise<string> {
  const signed = await ecsWebsocketSigner(o.region, o.credentials).sign(
    { method: 'GET', protocol: 'http:', hostname: o.host.split(':')[0]!, path: '/', query: {}, headers: { host: o.host }, body: o.json },
    { signingDate: o.date ?? new Date() },
  );
  return `Authorization: ${signed.headers.authorization}\r\nHost: ${o.host}\r\nX-Amz-Date: ${signed.headers['x-amz-date']}\r\n\r\n${o.json}`;
}

/** Splits a TCS frame into its header block (if any) and the JSON document. */
export function splitTcsFrame(raw: string): { headers: Record<string, string>; json: string } {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0 || raw.trimStart().startsWith('{')) return { headers: {}, json: raw };
  const headers: Record<string, string> = {};
  for (const line of raw.slice(0, end).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, json: raw.slice(end + 4) };
}
