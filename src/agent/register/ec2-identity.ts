// EC2 mode: the instance identity document and its signature from IMDSv2 (a session token first,
// then the two documents), sent with RegisterContainerInstance so ECS can tie the container
// instance to its EC2 instance. External (ECS Anywhere) mode never calls IMDS.

export const DEFAULT_IMDS_ENDPOINT = 'http://169.254.169.254';
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
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { method, headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new InstanceMetadataError(
        `cannot reach the EC2 instance metadata service at ${base} (${(err as Error).message}); ` +
        'outside EC2 set ECS_EXTERNAL=true, or point AWS_EC2_METADATA_SERVICE_ENDPOINT at it', { cause: err });
    }
    if (!res.ok) throw new InstanceMetadataError(`instance metadata ${method} ${path} answered HTTP ${res.status}`);
    return res.text();
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
