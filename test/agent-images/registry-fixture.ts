// A REAL Docker registry on loopback for the image tests: Debian's docker-registry (distribution),
// its own storage in a temp dir, optional htpasswd (bcrypt) users. Docker treats 127.0.0.0/8
// registries as insecure, so plain http works without daemon configuration. Images are pushed
// through the Docker API exactly as `docker login` + `docker push` do, and every image a test
// tags or pulls from a fixture registry is removed by `removeRegistryImages`.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { docker, freePort, sleep, TEST_IMAGE } from '../e2e/local-harness.ts';

export const REGISTRY_BIN = '/usr/bin/docker-registry';
export const TEST_LABEL = 'dockhand.test';
export const RUN_LABEL = `agent-images-${process.pid}`;

export interface TestRegistry {
  /** "127.0.0.1:port", the registry part of image names. */
  host: string;
  dir: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function startRegistry(o: { users?: Record<string, string> } = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let auth = '';
  if (o.users) {
    const file = join(dir, 'htpasswd');
    writeFileSync(file, '');
    // bcrypt, as the registry requires; -i reads the password from stdin, never from argv.
    for (const [user, password] of Object.entries(o.users)) execFileSync('htpasswd', ['-B', '-i', file, user], { input: password, stdio: ['pipe', 'ignore', 'ignore'] });
    auth = `auth:\n  htpasswd:\n    realm: dockhand-test\n    path: ${file}\n`;
  }
  const config = join(dir, 'config.yml');
  writeFileSync(config, [
    'version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:', '    enabled: true', 'http:', `  addr: ${host}`, auth,
  ].join('\n'));
  const proc = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = await fetch(`http://${host}/v2/`).then((r) => r.status, () => 0);
    if (status === 200 || status === 401) break;
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`docker-registry did not start: ${stderr}`);
    await sleep(50);
  }
  return {
    host, dir, proc,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PushAuth { username: string; password: string }

/** Pushes an image to `registry` as `repo:latest` and removes the local name, so that using it
 *  needs a pull. With `payloadBytes`, the image gets a layer of that many random bytes on top of
 *  the test image (a download large enough to show progress); without, it is the test image. */
export async function pushImage(host: string, repo: string, o: { auth?: PushAuth; payloadBytes?: number } = {}): Promise<string> {
  const ref = `${host}/${repo}:latest`;
  const authconfig = o.auth ? { ...o.auth, serveraddress: host } : undefined;
  if (authconfig) await docker.checkAuth(authconfig); // `docker login`
  if (o.payloadBytes) {
    const c = await docker.createContainer({
      Image: TEST_IMAGE, Cmd: ['sh', '-c', `head -c ${o.payloadBytes} /dev/urandom > /payload`], Labels: { [TEST_LABEL]: RUN_LABEL },
    });
    await c.start();
    await c.wait();
    await c.commit({ repo: `${host}/${repo}`, tag: 'latest' });
    await c.remove({ force: true });
  } else {
    await docker.getImage(TEST_IMAGE).tag({ repo: `${host}/${repo}`, tag: 'latest' });
  }
  // Docker wants an X-Registry-Auth header on every push, if only an empty one.
  const stream = await docker.getImage(ref).push({ authconfig: authconfig ?? {} });
  await followOrThrow(stream);
  await docker.getImage(ref).remove();
  return ref;
}

export function followOrThrow(stream: NodeJS.ReadableStream): Promise<Array<{ error?: string }>> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string }>) => {
      const failed = out?.find((m) => m.error);
      if (err || failed) reject(err ?? new Error(failed!.error));
      else resolve(out);
    });
  });
}

/** Removes every local image named after one of these registry hosts, and only those. */
export async function removeRegistryImages(hosts: string[]): Promise<void> {
  const images = await docker.listImages();
  for (const image of images) {
    for (const tag of (image.RepoTags ?? []).filter((t) => hosts.some((h) => t.startsWith(`${h}/`)))) {
      await docker.getImage(tag).remove().catch(() => undefined);
    }
  }
}

export async function imageExists(ref: string): Promise<boolean> {
  return docker.getImage(ref).inspect().then(() => true, () => false);
}

export type { Docker };
