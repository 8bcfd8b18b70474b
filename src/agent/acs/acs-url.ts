// The ACS websocket URL exactly as the real agent builds it (capture: main.traffic.jsonl seq 16):
// endpoint + "ws", with the query keys in this order and `clusterArn` holding the cluster NAME.

export interface AcsQuery {
  agentHash: string;
  agentVersion: string;
  cluster: string;
  containerInstanceArn: string;
  dockerVersion: string;
  sendCredentials: boolean;
  seqNum: number;
}

/** A poll endpoint (ACS or TCS, as DiscoverPollEndpoint returns it) as the websocket URL the real
 *  agent dials: endpoint + "ws", http → ws and https → wss. */
export function websocketUrl(endpoint: string): URL {
  const url = new URL(endpoint.endsWith('/') ? `${endpoint}ws` : `${endpoint}/ws`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : url.protocol === 'http:' ? 'ws:' : url.protocol;
  return url;
}

export function acsUrl(endpoint: string, q: AcsQuery): string {
  const base = websocketUrl(endpoint);
  const params = new URLSearchParams();
  params.set('agentHash', q.agentHash);
  params.set('agentVersion', q.agentVersion);
  params.set('clusterArn', q.cluster);
  params.set('containerInstanceArn', q.containerInstanceArn);
  // The real agent sends the literal prefix "DockerVersion: " on ACS only (not on TCS).
  params.set('dockerVersion', `DockerVersion: ${q.dockerVersion}`);
  params.set('protocolVersion', '2');
  params.set('sendCredentials', String(q.sendCredentials));
  params.set('seqNum', String(q.seqNum));
  base.search = params.toString();
  return base.toString();
}
