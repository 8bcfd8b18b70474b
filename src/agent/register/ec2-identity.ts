// EC2 mode: the instance identity document and its signature from IMDSv2 (a session token first,
// then the two documents), sent with RegisterContainerInstance so ECS can tie the container
// instance to its EC2 instance. External (ECS Anywhere) mode never calls IMDS.

export const DEFAULT_IMDS_ENDPOINT = 'http://169.254.169.254';
/** node:http, not fetch: fetch loads undici, ~16 MB of RSS kept for the agent's life (README, "Memory"). */
const http = process.getBuiltinModule('node:http');
const TOKEN_TTL_SECONDS = '21600';

export class InstanceMetadataError extends Error {
  override name = 'InstanceMetadataError';
}

export interface Ec2Identity {
  document: string;
  signature: string;
  instanceId: string | undefined;
  availabilityZone: string | undefined;
  region: string | undefined;
}

/** Reads the identity from IMDSv2 at `endpoint` (AWS_EC2_METADATA_SERVICE_ENDPOINT, else the link-local address). */
export async function readEc2Identity(endpoint = DEFAULT_IMDS_ENDPOINT, timeoutMs = 5000): Promise<Ec2Identity> {
  const base = endpoint.replace(/\/+$/, '');
  const call = async (method: 'PUT' | 'GET', path: string, headers: Record<string, string>): Promise<string> => {
    let res: { status: number; text: string };
    try {
      res = await request(`${base}${path}`, method, headers, timeoutMs);
    } catch (err) {
      throw new InstanceMetadataError(
        `cannot reach the EC2 instance metadata service at ${base} (${(err as Error).message}); ` +
        'outside EC2 set ECS_EXTERNAL=true, or point AWS_EC2_METADATA_SERVICE_ENDPOINT at it', { cause: err });
    }
    if (res.status < 200 || res.status > 299) throw new InstanceMetadataError(`instance metadata ${method} ${path} answered HTTP ${res.status}`);
    return res.text;
  };
  const token = await call('PUT', '/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': TOKEN_TTL_SECONDS });
  const auth = { 'X-aws-ec2-metadata-token': token };
  const [document, signature] = await Promise.all([
    call('GET', '/latest/dynamic/instance-identity/document', auth),
    call('GET', '/latest/dynamic/instance-identity/signature', auth),
  ]);
  let parsed: { instanceId?: string; availabilityZone?: string; region?: string } = {};
  try {
    parsed = JSON.parse(document) as typeof parsed;
  } catch (err) {
    throw new InstanceMetadataError('the instance identity document is not JSON', { cause: err });
  }
  return { document, signature, instanceId: parsed.instanceId, availabilityZone: parsed.availabilityZone, region: parsed.region };
}

/** One IMDS exchange (always plain HTTP), failing after `timeoutMs` as fetch's timeout signal did. */
function request(url: string, method: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    // An empty PUT says so (as fetch and Go's client do), rather than an empty chunked body.
    const sent = method === 'PUT' ? { ...headers, 'content-length': '0' } : headers;
    const req = http.request(url, { method, headers: sent, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
