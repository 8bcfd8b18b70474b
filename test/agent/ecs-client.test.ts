// The agent's own ECS client (src/agent/ecs) against @aws-sdk/client-ecs, which it replaced to save
// memory: byte for byte the same requests on a raw TCP socket (the SDK configured as the agent
// configured it before, clock frozen so signatures compare too), the same endpoints for every
// partition, and the SDK's error shapes and retry decisions.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import {
  DiscoverPollEndpointCommand as SdkDiscover, ECSClient, RegisterContainerInstanceCommand as SdkRegister,
  SubmitTaskStateChangeCommand as SdkSubmit,
} from '@aws-sdk/client-ecs';
import {
  createEcsClient, DiscoverPollEndpointCommand, RegisterContainerInstanceCommand, SubmitTaskStateChangeCommand,
} from '../../src/agent/ecs/ecs-client.ts';
import { withExtraBodyFields } from '../../src/agent/ecs/canonical-body.ts';
import { regionalEndpoint } from '../../src/agent/ecs/ecs-defaults.ts';
import { toSubmitInput } from '../../src/agent/outbox/submit-input.ts';
import { AGENT_HASH, AGENT_NAME, AGENT_VERSION } from '../../src/agent/version.ts';

interface Answer { status: number; body: string; delayMs?: number }
let server: Server;
let url: string;
const requests: string[] = [];
const answers: Answer[] = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = Buffer.alloc(0);
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buf.subarray(0, end).toString('latin1'))?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        requests.push(buf.subarray(0, end + 4 + length).toString('latin1'));
        buf = buf.subarray(end + 4 + length);
        const a = answers.shift() ?? { status: 200, body: '{}' };
        const reply = `HTTP/1.1 ${a.status} X\r\ncontent-type: application/x-amz-json-1.1\r\nx-amzn-RequestId: req-1\r\ncontent-length: ${Buffer.byteLength(a.body)}\r\n\r\n${a.body}`;
        if (a.delayMs) setTimeout(() => socket.writable && socket.write(reply), a.delayMs);
        else socket.write(reply);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  for (const s of sockets) s.destroy();
  server.close();
});
afterEach(() => {
  requests.length = 0;
  answers.length = 0;
  vi.useRealTimers();
});

const CREDS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-secret', sessionToken: 'session-token' };

/** The SDK's body as text; bytes are read through their buffer (the SDK's byte body warns when used as a string). */
const bodyText = (body: unknown): string => {
  if (typeof body === 'string') return body;
  const bytes = body as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
};

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  return value;
}

/** The agent's client as it was: @aws-sdk/client-ecs with its settings and body/header middleware. */
function sdkClientAsTheAgentHadIt(): ECSClient {
  const client = new ECSClient({
    region: 'us-west-2', endpoint: url, credentials: CREDS, customUserAgent: [[AGENT_NAME, AGENT_VERSION]], maxAttempts: 2, applyChecksum: false,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true },
  } as NonNullable<ConstructorParameters<typeof ECSClient>[0]>);
  type Req = { request: { headers: Record<string, string>; body: unknown } };
  const stack = client.middlewareStack as unknown as { add(mw: unknown, o: object): void; addRelativeTo(mw: unknown, o: object): void };
  stack.add((next: (a: Req) => Promise<unknown>) => async (args: Req) => {
    args.request.body = JSON.stringify(sortKeys(JSON.parse(bodyText(args.request.body))));
    args.request.headers['content-length'] = String(Buffer.byteLength(args.request.body as string));
    return next(args);
  }, { step: 'build', priority: 'low', name: 'canonicalBody' });
  stack.addRelativeTo((next: (a: Req) => Promise<unknown>) => async (args: Req) => {
    const h = args.request.headers;
    for (const name of Object.keys(h)) if (['amz-sdk-invocation-id', 'amz-sdk-request', 'x-amz-user-agent', 'user-agent'].includes(name.toLowerCase())) delete h[name];
    h['User-Agent'] = `${AGENT_NAME}/${AGENT_VERSION} (ECS agent ${AGENT_HASH}) (${process.platform})`;
    return next(args);
  }, { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'realAgentHeaders' });
  return client;
}

function withClientToken<C extends { middlewareStack: unknown }>(command: C, clientToken: string): C {
  type Req = { request: { headers: Record<string, string>; body: unknown } };
  (command.middlewareStack as { add(mw: unknown, o: object): void }).add((next: (a: Req) => Promise<unknown>) => async (args: Req) => {
    args.request.body = JSON.stringify(sortKeys({ ...JSON.parse(bodyText(args.request.body)) as object, clientToken }));
    args.request.headers['content-length'] = String(Buffer.byteLength(args.request.body as string));
    return next(args);
  }, { step: 'build', priority: 'low', name: 'clientToken' });
  return command;
}

const registration = {
  cluster: 'ecsref', containerInstanceArn: 'arn:aws:ecs:us-west-2:123456789012:container-instance/ecsref/abc',
  attributes: [{ name: 'ecs.os-type', value: 'linux' }, { name: 'ecs.capability.external' }],
  totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 2048 }, { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375'] }],
  instanceIdentityDocument: '', instanceIdentityDocumentSignature: '',
};
const stateChange = toSubmitInput({
  cluster: 'ecsref', task: 'arn:aws:ecs:us-west-2:123456789012:task/ecsref/1a2b', status: 'STOPPED', reason: 'Essential container in task exited',
  pullStartedAt: 1700000000.123, pullStoppedAt: 1700000001.9999, executionStoppedAt: 1700000002,
  containers: [
    { containerName: 'web', exitCode: 0, runtimeId: 'abc123', status: 'STOPPED', networkBindings: [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 32768, protocol: 'tcp' }] },
    { containerName: 'side', status: 'STOPPED', reason: 'stopped by the agent' },
  ],
});

describe('the agent ECS client', () => {
  it('sends byte for byte what @aws-sdk/client-ecs sent for the agent (headers, order, body, signature)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-23T12:00:00Z') });
    const ours = createEcsClient({ region: 'us-west-2', endpoint: url, credentials: CREDS });
    await ours.send(withExtraBodyFields(new RegisterContainerInstanceCommand(registration), { clientToken: 'token-1' }));
    await ours.send(new DiscoverPollEndpointCommand({ cluster: 'ecsref', containerInstance: registration.containerInstanceArn }));
    await ours.send(new SubmitTaskStateChangeCommand(stateChange));
    ours.destroy();
    const fromOurs = requests.splice(0);

    const sdk = sdkClientAsTheAgentHadIt();
    await sdk.send(withClientToken(new SdkRegister(registration), 'token-1'));
    await sdk.send(new SdkDiscover({ cluster: 'ecsref', containerInstance: registration.containerInstanceArn }));
    await sdk.send(new SdkSubmit(stateChange));
    sdk.destroy();

    expect(fromOurs).toHaveLength(3);
    expect(fromOurs).toEqual(requests);
    expect(fromOurs[2]).toContain('"pullStoppedAt":1700000001.999,'); // a Date's milliseconds, as the SDK serializes it
  });

  it('resolves the regional endpoint as the SDK does, for every partition and with FIPS / dual-stack', async () => {
    const sdk = new ECSClient({ region: 'us-east-1' });
    const resolve = sdk.config.endpointProvider as (p: object) => { url: URL };
    const saved = { fips: process.env.AWS_USE_FIPS_ENDPOINT, dual: process.env.AWS_USE_DUALSTACK_ENDPOINT };
    try {
      for (const region of ['us-west-2', 'eu-central-1', 'cn-north-1', 'us-gov-west-1', 'us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1', 'us-isof-south-1', 'eusc-de-east-1']) {
        for (const [fips, dual] of [[false, false], [true, false], [false, true], [true, true]] as const) {
          process.env.AWS_USE_FIPS_ENDPOINT = String(fips);
          process.env.AWS_USE_DUALSTACK_ENDPOINT = String(dual);
          const expected = (() => {
            try { return resolve({ Region: region, UseFIPS: fips, UseDualStack: dual }).url.href; } catch (err) { return `error: ${(err as Error).message.split(':')[0]}`; }
          })();
          const got = await regionalEndpoint(region).then((u) => u.href, (err: Error) => `error: ${err.message.split(':')[0]}`);
          if (expected.startsWith('error')) expect(got, `${region} fips=${fips} dual=${dual}`).toMatch(/^error/);
          else expect(got, `${region} fips=${fips} dual=${dual}`).toBe(expected);
        }
      }
    } finally {
      for (const [k, v] of [['AWS_USE_FIPS_ENDPOINT', saved.fips], ['AWS_USE_DUALSTACK_ENDPOINT', saved.dual]] as const) {
        if (v === undefined) delete process.env[k]; else process.env[k] = v;
      }
      sdk.destroy();
    }
  });

  it('an ECS error answer is an Error named by its __type; 5xx is retried once, 4xx never', async () => {
    const client = createEcsClient({ region: 'us-west-2', endpoint: url, credentials: CREDS });
    answers.push({ status: 400, body: '{"__type":"com.amazonaws.ecs#ClientException","message":"bad cluster"}' });
    const clientErr = await client.send(new DiscoverPollEndpointCommand({ cluster: 'x' })).catch((e: unknown) => e) as Error & { $fault: string; $metadata: Record<string, unknown> };
    expect(clientErr).toBeInstanceOf(Error);
    expect([clientErr.name, clientErr.message, clientErr.$fault]).toEqual(['ClientException', 'bad cluster', 'client']);
    expect(clientErr.$metadata).toMatchObject({ httpStatusCode: 400, requestId: 'req-1', attempts: 1 });
    expect(requests).toHaveLength(1);

    answers.push({ status: 500, body: '{"__type":"ServerException","message":"try again"}' }, { status: 500, body: '{"__type":"ServerException","message":"still"}' });
    const serverErr = await client.send(new DiscoverPollEndpointCommand({ cluster: 'x' })).catch((e: unknown) => e) as Error & { $fault: string; $metadata: Record<string, unknown> };
    expect([serverErr.name, serverErr.message, serverErr.$fault]).toEqual(['ServerException', 'still', 'server']);
    expect(serverErr.$metadata).toMatchObject({ httpStatusCode: 500, attempts: 2 });
    expect(requests).toHaveLength(3);

    answers.push({ status: 400, body: '{"__type":"ThrottlingException","message":"slow down"}' }, { status: 200, body: '{"endpoint":"https://acs/","telemetryEndpoint":"https://tcs/"}' });
    const out = await client.send(new DiscoverPollEndpointCommand({ cluster: 'x' }));
    expect(out).toMatchObject({ endpoint: 'https://acs/', telemetryEndpoint: 'https://tcs/', $metadata: { httpStatusCode: 200, attempts: 2 } });
    client.destroy();
  });

  it('a request with no answer times out as TimeoutError (retried once); an abort is not retried', async () => {
    const client = createEcsClient({ region: 'us-west-2', endpoint: url, credentials: CREDS, requestTimeoutMs: 200 });
    answers.push({ status: 200, body: '{}', delayMs: 1000 }, { status: 200, body: '{}', delayMs: 1000 });
    const timedOut = await client.send(new SubmitTaskStateChangeCommand(stateChange)).catch((e: unknown) => e) as Error;
    expect(timedOut.name).toBe('TimeoutError');
    expect(requests).toHaveLength(2);

    requests.length = 0;
    answers.length = 0;
    answers.push({ status: 200, body: '{}', delayMs: 1000 });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const aborted = await client.send(new DiscoverPollEndpointCommand({ cluster: 'x' }), { abortSignal: abort.signal }).catch((e: unknown) => e) as Error;
    expect(aborted.name).toBe('AbortError');
    expect(requests).toHaveLength(1);
    client.destroy();
  });
});
