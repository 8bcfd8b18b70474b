// What a running `dockhand agent` process (bin/dockhand.js, the deployed Node flags) has loaded
// once it is registered and connected: none of the code its memory budget leaves out (README,
// "Memory") — no control plane, no @aws-sdk/client-ecs, no BuildKit/SSH code from dockerode, no
// undici or http2. `npm run bench` measures the RSS itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployedAgentNodeFlags } from '../../bench/lib/agent-process.ts';
import { startCapturePeer, until, type CapturePeer } from './capture-peer.ts';
import { useTempDirs } from '../temp-dirs.ts';

const tempDir = useTempDirs();
let peer: CapturePeer;
beforeAll(async () => { peer = await startCapturePeer(); });
afterAll(async () => { await peer?.close(); });

describe('the agent process footprint', () => {
  it('loads only the agent: no control plane, ECS SDK client, gRPC, SSH, undici or http2', async () => {
    const dir = tempDir('dockhand-footprint-');
    const report = join(dir, 'modules.json');
    const agent = spawn(process.execPath, [...deployedAgentNodeFlags(), '--import', './test/agent/loaded-modules-probe.js', 'bin/dockhand.js', 'agent'], {
      env: {
        PATH: process.env.PATH, HOME: dir, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-a-secret',
        AWS_DEFAULT_REGION: 'us-west-2', ECS_CLUSTER: 'ecsref', ECS_BACKEND_HOST: peer.url, ECS_EXTERNAL: 'true',
        ECS_DATADIR: join(dir, 'agent'), ECS_AGENT_CONFIG_FILE_PATH: join(dir, 'no-ecs.config'), ECS_LOGLEVEL: 'warn',
        DOCKHAND_LOADED_MODULES_FILE: report,
      },
      stdio: 'ignore',
    });
    try {
      await until(() => peer.acsConnected() && peer.frames.tcs.length > 0, 20_000);
      agent.kill('SIGUSR2');
      await until(() => existsSync(report), 5_000);
      const { files, builtins } = JSON.parse(readFileSync(report, 'utf8')) as { files: string[]; builtins: string[] };
      expect(files.some((f) => f.endsWith('/src/agent/main.ts'))).toBe(true);
      expect(files.some((f) => f.includes('/node_modules/dockerode/'))).toBe(true); // Docker was reached
      const unwanted = ['/src/control-plane/', '/node_modules/@aws-sdk/client-ecs/', '/node_modules/@grpc/', '/node_modules/protobufjs/', '/node_modules/ssh2/'];
      expect(files.filter((f) => unwanted.some((u) => f.includes(u)))).toEqual([]);
      expect(builtins.filter((b) => /undici|http2/.test(b))).toEqual([]);
    } finally {
      if (agent.exitCode === null && agent.signalCode === null) {
        const exited = new Promise((r) => agent.once('exit', r));
        agent.kill('SIGTERM');
        await exited;
      }
    }
  });
});
