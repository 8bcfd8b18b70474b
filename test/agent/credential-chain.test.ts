// The agent signs with the standard AWS credential chain: environment variables first, then the
// shared credentials file (what ECS Anywhere's SSM agent writes), for API calls and the ACS
// websocket alike. No key is given to the client in code here.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { createEcsClient } from '../../src/agent/ecs/ecs-client.ts';
import { discoverPollEndpoint } from '../../src/agent/register/register-instance.ts';
import { AcsSession } from '../../src/agent/acs/acs-session.ts';
import { SqliteAgentStore } from '../../src/agent/store/sqlite-agent-store.ts';
import { CAPTURED_INSTANCE_ARN as ARN, startCapturePeer, until, type CapturePeer } from './capture-peer.ts';
import { useTempDirs } from '../temp-dirs.ts';

const tempDir = useTempDirs();

const KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_EC2_METADATA_DISABLED'];
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
let peer: CapturePeer;
beforeAll(async () => { peer = await startCapturePeer(); });
afterAll(async () => { await peer.close(); });
afterEach(() => {
  for (const k of KEYS) { if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k]; }
});

const credentialOf = (auth: unknown): string | undefined => /Credential=([^/]+)\//.exec(String(auth))?.[1];

describe('AWS credential chain', () => {
  it('uses AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAENVIRONMENTKEY01';
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret';
    const client = createEcsClient({ region: 'us-west-2', endpoint: peer.url });
    await discoverPollEndpoint(client, 'ecsref', ARN);
    expect(credentialOf(peer.api.at(-1)!.headers.authorization)).toBe('AKIAENVIRONMENTKEY01');
    client.destroy();
  });

  it('falls back to the shared credentials file (ECS Anywhere), for the API and the ACS upgrade', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const dir = tempDir('dockhand-creds-');
    writeFileSync(join(dir, 'credentials'), '[ecs-anywhere]\naws_access_key_id = AKIASHAREDFILEKEY01\naws_secret_access_key = file-secret\n');
    writeFileSync(join(dir, 'config'), '');
    Object.assign(process.env, {
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config'), AWS_PROFILE: 'ecs-anywhere', AWS_EC2_METADATA_DISABLED: 'true',
    });
    const client = createEcsClient({ region: 'us-west-2', endpoint: peer.url });
    const session = new AcsSession({
      client, cluster: 'ecsref', containerInstanceArn: ARN, region: 'us-west-2', dockerVersion: '20.10.24',
      store: new SqliteAgentStore(':memory:'), logger: pino({ level: 'silent' }),
      tasks: { applyTask: () => {}, knownTasks: () => [], stopTask: () => {} },
    });
    session.start();
    await until(() => peer.acsConnected());
    expect(credentialOf(peer.api.at(-1)!.headers.authorization)).toBe('AKIASHAREDFILEKEY01');
    expect(credentialOf(peer.upgrades.acs!.headers.authorization)).toBe('AKIASHAREDFILEKEY01');
    await session.close();
    client.destroy();
  });
});
