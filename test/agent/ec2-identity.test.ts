// IMDSv2 against a local instance-metadata test server on loopback (as the capture's EC2 variant).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readEc2Identity, InstanceMetadataError } from '../../src/agent/register/ec2-identity.ts';

const DOC = JSON.stringify({ accountId: '123456789012', availabilityZone: 'us-west-2a', instanceId: 'i-0123456789abcdef0', region: 'us-west-2' }, null, 2);
let server: Server;
let endpoint: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} token=${req.headers['x-aws-ec2-metadata-token'] ?? '-'} ttl=${req.headers['x-aws-ec2-metadata-token-ttl-seconds'] ?? '-'}`);
    if (req.method === 'PUT' && req.url === '/latest/api/token') return void res.end('TOKEN-1');
    if (req.headers['x-aws-ec2-metadata-token'] !== 'TOKEN-1') { res.statusCode = 401; return void res.end(); }
    if (req.url === '/latest/dynamic/instance-identity/document') return void res.end(DOC);
    if (req.url === '/latest/dynamic/instance-identity/signature') return void res.end('c2lnbmF0dXJl');
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => { server?.close(); });

describe('EC2 identity (IMDSv2)', () => {
  it('takes a token, then reads the document and its signature with it', async () => {
    const id = await readEc2Identity(endpoint);
    expect(id).toEqual({ document: DOC, signature: 'c2lnbmF0dXJl', instanceId: 'i-0123456789abcdef0', availabilityZone: 'us-west-2a', region: 'us-west-2' });
    expect(seen[0]).toBe('PUT /latest/api/token token=- ttl=21600');
    expect(seen.slice(1).sort()).toEqual([
      'GET /latest/dynamic/instance-identity/document token=TOKEN-1 ttl=-',
      'GET /latest/dynamic/instance-identity/signature token=TOKEN-1 ttl=-',
    ]);
  });

  it('an unreachable IMDS is a clear error that says what to do', async () => {
    const err = await readEc2Identity('http://127.0.0.1:1', 1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstanceMetadataError);
    expect((err as Error).message).toMatch(/cannot reach the EC2 instance metadata service.*ECS_EXTERNAL=true/);
  });
});
