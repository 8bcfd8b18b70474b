// The event subscription's reconnect-and-replay, over in-process streams standing in for the
// socket (the real stream is exercised by every task-engine.docker test).
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { subscribeToEvents } from '../../src/agent/docker/docker-event-stream.ts';
import type { ContainerEvent } from '../../src/agent/docker/docker-engine.ts';
import { testLogger } from './engine-harness.ts';

const line = (action: string, id: string, timeNano: number, extra: Record<string, string> = {}) =>
  `${JSON.stringify({ Type: 'container', Action: action, id, timeNano, Actor: { ID: id, Attributes: { 'com.amazonaws.ecs.task-arn': 't', ...extra } } })}\n`;

describe('subscribeToEvents', () => {
  it('parses container events, reconnects when the stream ends, replays from the last event without duplicates', async () => {
    const opened: Array<string | undefined> = [];
    const streams: PassThrough[] = [];
    const got: ContainerEvent[] = [];
    const sub = subscribeToEvents(async (since) => {
      opened.push(since);
      const s = new PassThrough();
      streams.push(s);
      return s;
    }, (e) => got.push(e), testLogger);
    await sub.ready;

    streams[0]!.write(line('start', 'a', 1_795_390_864_681_807_616));
    streams[0]!.write(line('die', 'a', 1_795_390_939_774_313_216, { exitCode: '137' }).slice(0, 40));
    streams[0]!.end(line('die', 'a', 1_795_390_939_774_313_216, { exitCode: '137' }).slice(40));
    await until(() => streams.length === 2);
    // Docker replays from `since` inclusive: the last event comes again, then a new one.
    streams[1]!.write(line('die', 'a', 1_795_390_939_774_313_216, { exitCode: '137' }));
    streams[1]!.write(line('destroy', 'a', 1_795_390_959_857_860_608));
    streams[1]!.write('{"Type":"network","Action":"connect"}\n');
    await until(() => got.length === 3);
    sub.close();

    expect(opened[0]).toBeUndefined();
    expect(opened[1]).toMatch(/^1795390939\.\d{9}$/);
    expect(got.map((e) => [e.action, e.id, e.exitCode, e.time])).toEqual([
      ['start', 'a', undefined, 1_795_390_864_681],
      ['die', 'a', 137, 1_795_390_939_774],
      ['destroy', 'a', undefined, 1_795_390_959_857],
    ]);
    expect(got[1]!.labels['com.amazonaws.ecs.task-arn']).toBe('t');
  });

  it('keeps retrying while Docker is unreachable', async () => {
    let attempts = 0;
    const sub = subscribeToEvents(async () => {
      attempts++;
      if (attempts < 3) throw new Error('connect ENOENT /var/run/docker.sock');
      return new PassThrough();
    }, () => {}, testLogger);
    await sub.ready;
    sub.close();
    expect(attempts).toBe(3);
  });
});

async function until(cond: () => boolean): Promise<void> {
  const end = Date.now() + 5_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
