// RegisterContainerInstance as the real agent sends it (capture: main.traffic.jsonl seq 3 and the
// restart variant), against a real HTTP peer that answers as the capture's control plane did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import pino from 'pino';
import { createEcsClient } from '../../src/agent/ecs/ecs-client.ts';
import { registerContainerInstance, discoverPollEndpoint } from '../../src/agent/register/register-instance.ts';
import { instanceAttributes } from '../../src/agent/register/attributes.ts';
import { readHostFacts, totalResources } from '../../src/agent/register/instance-resources.ts';

const CAPTURE = '../shared/fixtures/ecs-agent-capture';
const ARN = 'arn:aws:ecs:us-west-2:123456789012:container-instance/ecsref/0f1e2d3c4b5a69788796a5b4c3d2e1f0';

function captured(file: string, op: string): Record<string, unknown> {
  for (const line of readFileSync(`${CAPTURE}/${file}`, 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as { operation?: string; direction?: string; body?: Record<string, unknown> };
    if (r.operation === op && r.direction === 'agent->cp') return r.body!;
  }
  throw new Error(`no ${op} in ${file}`);
}

let server: Server;
let url: string;
const requests: Array<{ target: string; body: Record<string, unknown> }> = [];
let failNext = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => { raw += d; });
    req.on('end', () => {
      const target = String(req.headers['x-amz-target']).split('.')[1]!;
      const body = JSON.parse(raw) as Record<string, unknown>;
      requests.push({ target, body });
      if (failNext > 0) {
        failNext -= 1;
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
        res.end('{"__type":"ServerException","message":"try again"}');
        return;
      }
      const answer = target === 'RegisterContainerInstance'
        ? { containerInstance: { containerInstanceArn: body.containerInstanceArn ?? ARN, attributes: body.attributes, registeredResources: body.totalResources, status: 'ACTIVE' } }
        : { endpoint: 'http://127.0.0.1:18081/', telemetryEndpoint: 'http://127.0.0.1:18082/', serviceConnectEndpoint: 'http://127.0.0.1:18081/' };
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': 'r' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => { server?.close(); });

describe('registration', () => {
  it('sends the real agent\'s keys and resources, retrying with the same clientToken', async () => {
    const client = createEcsClient({ region: 'us-west-2', endpoint: url, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });
    const host = await readHostFacts();
    failNext = 1;
    requests.length = 0;
    const arn = await registerContainerInstance(client, {
      cluster: 'ecsref',
      savedArn: undefined,
      attributes: instanceAttributes({ dockerApiVersion: '1.41', loggingDrivers: ['json-file', 'none'], external: true, cpuArchitecture: host.cpuArchitecture, custom: { stack: 'blue' } }),
      totalResources: totalResources(host, { memoryMiB: 100, ports: [22, 2375, 2376, 51678, 51679], portsUdp: [] }),
    }, pino({ level: 'silent' }));
    expect(arn).toBe(ARN);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.body.clientToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(requests[1]!.body.clientToken).toBe(requests[0]!.body.clientToken);

    const ours = requests[1]!.body;
    const real = captured('main.traffic.jsonl', 'RegisterContainerInstance');
    expect(Object.keys(ours)).toEqual(Object.keys(real)); // same keys, same (alphabetical) order

    const memTotalKiB = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    expect(ours.totalResources).toEqual([
      { integerValue: availableParallelism() * 1024, name: 'CPU', type: 'INTEGER' },
      { integerValue: Math.floor((memTotalKiB * 1024) / 1048576) - 100, name: 'MEMORY', type: 'INTEGER' },
      { name: 'PORTS', stringSetValue: ['22', '2375', '2376', '51678', '51679'], type: 'STRINGSET' },
      { name: 'PORTS_UDP', stringSetValue: [], type: 'STRINGSET' },
    ]);

    const names = (ours.attributes as Array<{ name: string; value?: string }>);
    const realNames = new Set((real.attributes as Array<{ name: string }>).map((a) => a.name));
    // Every attribute we advertise is one the real agent advertises too, except the custom one.
    expect(names.filter((a) => !realNames.has(a.name)).map((a) => a.name)).toEqual(['stack']);
    expect(names).toContainEqual({ name: 'ecs.capability.external' });
    expect(names).toContainEqual({ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.41' });
    expect(names).toContainEqual({ name: 'ecs.os-type', value: 'linux' });
    expect(names).toContainEqual({ name: 'ecs.cpu-architecture', value: 'x86_64' });
    expect(names).toContainEqual({ name: 'stack', value: 'blue' });
    client.destroy();
  });

  it('re-registers with the saved ARN, as the restart capture shows', async () => {
    const client = createEcsClient({ region: 'us-west-2', endpoint: url, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });
    requests.length = 0;
    const arn = await registerContainerInstance(client, {
      cluster: 'ecsref', savedArn: ARN, attributes: [{ name: 'ecs.os-type', value: 'linux' }], totalResources: [],
    }, pino({ level: 'silent' }));
    expect(arn).toBe(ARN);
    const real = captured('variant-restart-from-checkpoint.traffic.jsonl', 'RegisterContainerInstance');
    expect(Object.keys(requests[0]!.body)).toEqual(Object.keys(real));
    expect(requests[0]!.body.containerInstanceArn).toBe(ARN);

    const endpoints = await discoverPollEndpoint(client, 'ecsref', ARN);
    expect(endpoints).toEqual({ acs: 'http://127.0.0.1:18081/', telemetry: 'http://127.0.0.1:18082/' });
    expect(requests[1]).toEqual({ target: 'DiscoverPollEndpoint', body: captured('main.traffic.jsonl', 'DiscoverPollEndpoint') });
    client.destroy();
  });
});
