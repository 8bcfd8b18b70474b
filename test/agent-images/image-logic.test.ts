// The pure parts of the image side, isolated: registry credential parsing and matching, progress
// throttling, the configuration bounds, the pull/delete lock, and the cleanup selection over an
// in-memory image store. Everything here also runs for real in the *.test.ts files beside it.
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEngineAuth, registryHostOf } from '../../src/agent/images/registry-auth.ts';
import { PullProgress } from '../../src/agent/images/pull-progress.ts';
import { PullDeleteLock } from '../../src/agent/images/pull-delete-lock.ts';
import { loadAgentConfig } from '../../src/agent/config/agent-config.ts';
import { SqliteAgentStore } from '../../src/agent/store/sqlite-agent-store.ts';
import { storeImageRecords } from '../../src/agent/images/image-services.ts';
import { ImageTracker } from '../../src/agent/images/image-tracker.ts';
import { captureLogger, memoryDocker } from './memory-images.ts';

const NO_FILE = { ECS_AGENT_CONFIG_FILE_PATH: '/dev/null/none', AWS_DEFAULT_REGION: 'us-west-2' };
const silent = pino({ level: 'silent' });

describe('registry credentials', () => {
  const docker = JSON.stringify({
    'https://reg.example.com': { username: 'u1', password: 'p1', email: 'a@b.c' },
    'reg.example.com/team': { username: 'u2', password: 'p2' },
    'index.docker.io/v1/': { username: 'hub', password: 'hp' },
  });

  it.each([
    ['reg.example.com/app:1', 'reg.example.com', 'u1'],
    ['reg.example.com/team/app:1', 'reg.example.com/team', 'u2'],
    ['reg.example.com/teammate/app', 'reg.example.com', 'u1'], // a prefix, but not of a whole path segment
    ['busybox', 'index.docker.io/v1/', 'hub'],
    ['library/busybox:1.36', 'index.docker.io/v1/', 'hub'],
    ['docker.io/library/busybox', 'index.docker.io/v1/', 'hub'],
  ])('docker format: %s → the %s entry', (image, key, user) => {
    const { auth, warnings } = parseEngineAuth('docker', docker);
    expect(warnings).toEqual([]);
    expect(auth.credentialsFor(image)).toMatchObject({ serveraddress: key, username: user });
  });

  it('matches no other registry, port included', () => {
    const { auth } = parseEngineAuth('docker', docker);
    expect(auth.credentialsFor('other.example.com/app')).toBeUndefined();
    expect(auth.credentialsFor('reg.example.com:5000/app')).toBeUndefined();
    expect(auth.credentialsFor('localhost/app')).toBeUndefined();
  });

  it('dockercfg format: base64 user:password (the password may contain colons)', () => {
    const { auth, warnings } = parseEngineAuth('dockercfg', JSON.stringify({
      '127.0.0.1:5000': { auth: Buffer.from('me:pa:ss').toString('base64'), email: 'x@y.z' },
    }));
    expect(warnings).toEqual([]);
    expect(auth.credentialsFor('127.0.0.1:5000/a/b:latest')).toEqual({ username: 'me', password: 'pa:ss', email: 'x@y.z', serveraddress: '127.0.0.1:5000' });
  });

  it.each([
    ['docker', '{"reg.example.com": {"username": "u", "password": "s3cr3t"', /not a JSON object/],
    ['docker', '{"reg.example.com": {"username": "u"}}', /entry for reg.example.com: needs "username" and "password"/],
    ['dockercfg', '{"reg.example.com": {"auth": "!!s3cr3t!!"}}', /entry for reg.example.com: "auth" is not base64/],
    ['dockercfg', JSON.stringify({ 'reg.example.com': { auth: Buffer.from('s3cr3t').toString('base64') } }), /must decode to user:password/],
    ['ecr', '{"reg.example.com": {"password": "s3cr3t"}}', /ECS_ENGINE_AUTH_TYPE "ecr" is not docker or dockercfg/],
  ])('%s %s → a warning that quotes none of the data', (type, data, warning) => {
    const { auth, warnings } = parseEngineAuth(type, data);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(warning);
    expect(warnings[0]).not.toContain('s3cr3t');
    expect(warnings[0]).not.toContain(Buffer.from('s3cr3t').toString('base64'));
    expect(auth.credentialsFor('reg.example.com/app')).toBeUndefined();
  });

  it.each([
    ['busybox', 'docker.io'], ['a/b', 'docker.io'], ['localhost/a', 'localhost'], ['127.0.0.1:5000/a/b:t', '127.0.0.1:5000'],
    ['reg.io/a@sha256:abc', 'reg.io'], ['host:5000/a', 'host:5000'],
  ])('registry host of %s is %s', (image, host) => {
    expect(registryHostOf(image)).toBe(host);
  });
});

describe('pull progress log', () => {
  it('one line per downloaded layer, totals at most every interval, a summary; no line per message', () => {
    const { logger, lines } = captureLogger('debug');
    let now = 0;
    const p = new PullProgress('img', logger, { intervalMs: 10_000, now: () => now });
    p.onEvent({ status: 'Pulling from x', id: 'latest' });
    p.onEvent({ status: 'Already exists', id: 'base' });
    p.onEvent({ status: 'Pulling fs layer', id: 'l1' });
    for (let i = 1; i <= 100; i++) {
      now = i * 250; // 25 s of progress messages
      p.onEvent({ status: 'Downloading', id: 'l1', progressDetail: { current: i * 1000, total: 100_000 } });
    }
    p.onEvent({ status: 'Download complete', id: 'l1' });
    p.onEvent({ status: 'Extracting', id: 'l1', progressDetail: { current: 5, total: 100_000 } });
    p.onEvent({ status: 'Pull complete', id: 'l1' });
    p.onEvent({ status: 'Pull complete', id: 'l1' });
    const summary = p.finish();
    const msgs = lines.map((l) => l.msg);
    expect(msgs.filter((m) => m === 'image pull progress')).toHaveLength(2);
    expect(lines.filter((l) => l.msg === 'image layer pulled')).toEqual([expect.objectContaining({ layer: 'l1', bytes: 100_000, layersDone: 2, layers: 2 })]);
    expect(msgs.filter((m) => m === 'image layer already present')).toHaveLength(1);
    expect(summary).toEqual({ layers: 2, layersPresent: 1, downloadedBytes: 100_000, elapsedMs: 25_000 });
    expect(lines).toHaveLength(5);
  });
});

describe('image settings (the real agent bounds)', () => {
  it('defaults', () => {
    expect(loadAgentConfig(NO_FILE).images).toEqual({
      pullInactivityTimeoutMs: 60_000, authType: '', authData: '', cleanupDisabled: false, cleanupIntervalMs: 1_800_000,
      minimumCleanupAgeMs: 3_600_000, imagesPerCycle: 5, exclude: [], untrackedCleanup: false, untrackedMinimumAgeMs: 3_600_000,
    });
  });

  it('out-of-range values are replaced with a warning; zero means the default; Dockhand test overrides skip the floors', () => {
    const c = loadAgentConfig({
      ...NO_FILE, ECS_IMAGE_PULL_INACTIVITY_TIMEOUT: '30s', ECS_IMAGE_CLEANUP_INTERVAL: '5m', ECS_NUM_IMAGES_DELETE_PER_CYCLE: '0',
      ECS_IMAGE_MINIMUM_CLEANUP_AGE: '0', ECS_EXCLUDE_UNTRACKED_IMAGE: 'a:1, b:2,,', ECS_ENGINE_AUTH_TYPE: ' docker ',
    });
    expect(c.images).toMatchObject({ pullInactivityTimeoutMs: 60_000, cleanupIntervalMs: 1_800_000, imagesPerCycle: 5, minimumCleanupAgeMs: 3_600_000, exclude: ['a:1', 'b:2'], authType: 'docker' });
    expect(c.warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/ECS_IMAGE_PULL_INACTIVITY_TIMEOUT is under the 1m minimum/),
      expect.stringMatching(/ECS_IMAGE_CLEANUP_INTERVAL is under the 10m minimum; using the default 30m/),
      expect.stringMatching(/ECS_NUM_IMAGES_DELETE_PER_CYCLE must be at least 1/),
    ]));
    const t = loadAgentConfig({ ...NO_FILE, DOCKHAND_IMAGE_CLEANUP_INTERVAL: '1s', DOCKHAND_IMAGE_PULL_INACTIVITY_TIMEOUT: '2s', ECS_IMAGE_CLEANUP_INTERVAL: '45m' });
    expect(t.images).toMatchObject({ cleanupIntervalMs: 1000, pullInactivityTimeoutMs: 2000 });
    expect(loadAgentConfig({ ...NO_FILE, ECS_IMAGE_CLEANUP_INTERVAL: '45m' }).images.cleanupIntervalMs).toBe(45 * 60_000);
  });

  it('no longer warns that the image settings are unsupported', () => {
    const c = loadAgentConfig({ ...NO_FILE, ECS_DISABLE_IMAGE_CLEANUP: 'true', ECS_ENGINE_AUTH_TYPE: 'docker', ECS_ENGINE_AUTH_DATA: '{}' });
    expect(c.warnings.filter((w) => /IMAGE|AUTH/.test(w))).toEqual([]);
  });
});

describe('pull/delete lock', () => {
  it('pulls share it; a cleanup runs only when no pull is under way, and pulls arriving meanwhile wait for it', async () => {
    const lock = new PullDeleteLock();
    let finishPull!: () => void;
    const pull1 = lock.shared(() => new Promise<void>((r) => { finishPull = r; }));
    await lock.shared(async () => undefined); // a second pull runs alongside
    expect(await lock.tryExclusive(async () => 'cleaned')).toEqual({ ran: false });
    finishPull();
    await pull1;
    const order: string[] = [];
    let finishCleanup!: () => void;
    const cleanup = lock.tryExclusive(() => new Promise<string>((r) => { order.push('cleanup'); finishCleanup = () => r('cleaned'); }));
    const pull3 = lock.shared(async () => { order.push('pull3'); });
    expect(await lock.tryExclusive(async () => 'again')).toEqual({ ran: false }); // one cleanup at a time
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(['cleanup']);
    finishCleanup();
    expect(await cleanup).toEqual({ ran: true, value: 'cleaned' });
    await pull3;
    expect(order).toEqual(['cleanup', 'pull3']);
  });
});

describe('tracked images in the agent store', () => {
  it('survive reopening the store; a name re-pulled to a new id moves to it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockhand-images-store-'));
    try {
      const d = memoryDocker();
      d.add({ id: 'sha256:old', repoTags: ['r/a:1'] });
      let store = new SqliteAgentStore(dir);
      let tracker = new ImageTracker({ docker: d, records: storeImageRecords(store, silent), logger: silent, now: () => 1000 });
      await tracker.recordPull('r/a:1');
      d.add({ id: 'sha256:new', repoTags: ['r/a:1'] });
      await tracker.recordPull('r/a:1');
      store.close();

      store = new SqliteAgentStore(dir);
      tracker = new ImageTracker({ docker: d, records: storeImageRecords(store, silent), logger: silent });
      expect(tracker.pulledBefore('r/a:1')).toBe(true);
      expect(tracker.all().map((i) => [i.imageId, i.names])).toEqual([['sha256:old', []], ['sha256:new', ['r/a:1']]]);
      store.saveImage('sha256:bad', 'not json');
      expect(storeImageRecords(store, silent).load()).toHaveLength(2); // the unreadable row is dropped
      expect(store.loadImages().map((r) => r.imageId)).toEqual(['sha256:old', 'sha256:new']);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
