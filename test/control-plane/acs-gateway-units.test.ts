// The ACS gateway's pure parts: liveness verdicts, manifest contents, stop-verification answers,
// fake role credentials, and task health from container health.
import { describe, expect, it } from 'vitest';
import { frameReceived, heartbeatSent, newWatch, verdict } from '../../src/control-plane/acs-gateway/heartbeat-watch.ts';
import { credentialRefs, fakeCredentials, rolesOf } from '../../src/control-plane/acs-gateway/role-credentials.ts';
import { agreedStopTasks, manifestTasks } from '../../src/control-plane/acs-gateway/task-manifest.ts';
import { taskHealthStatus } from '../../src/control-plane/ecs-api/views.ts';
import type { TaskRecord } from '../../src/control-plane/model/records.ts';

const task = (arn: string, o: Partial<TaskRecord> = {}): TaskRecord => ({
  arn, clusterName: 'c', containerInstanceArn: 'ci-1', taskDefinitionArn: 'td:1', launchType: 'EC2', lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING', version: 1, createdAt: 0, group: 'g', tags: [], overrides: {}, needs: { cpu: 0, memory: 0, ports: [], portsUdp: [] },
  containers: [], ...o,
});

describe('heartbeat watch', () => {
  it('is alive while acks come back, and names the late heartbeat or the silence otherwise', () => {
    let w = newWatch(0);
    expect(verdict(w, 299, 300)).toEqual({ kind: 'alive' });
    expect(verdict(w, 300, 300)).toEqual({ kind: 'silent', lastFrameAt: 0 });
    w = heartbeatSent(frameReceived(w, 250), 'h1', 250);
    w = frameReceived(w, 400); // a frame, not the ack
    expect(verdict(w, 549, 300)).toEqual({ kind: 'alive' });
    expect(verdict(w, 550, 300)).toEqual({ kind: 'heartbeat-unacked', messageId: 'h1', sentAt: 250 });
    w = frameReceived(w, 500, 'h1');
    expect(w.unacked).toEqual({});
    expect(verdict(w, 799, 300)).toEqual({ kind: 'alive' });
    expect(frameReceived(w, 600, 'not-sent').unacked).toEqual({}); // an unknown ack changes nothing else
  });
});

describe('task manifest and stop verification', () => {
  const tasks = [
    task('a'), task('b', { desiredStatus: 'STOPPED' }), task('c', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }),
    task('d', { containerInstanceArn: 'ci-2' }),
  ];
  it('lists the instance tasks not yet STOPPED, at their desired status', () => {
    expect(manifestTasks(tasks, 'ci-1', () => 'cl')).toEqual([
      { taskArn: 'a', taskClusterArn: 'cl', desiredStatus: 'RUNNING' },
      { taskArn: 'b', taskClusterArn: 'cl', desiredStatus: 'STOPPED' },
    ]);
  });
  it('agrees to stop unknown and desired-STOPPED tasks only', () => {
    const lookup = (arn: string) => tasks.find((t) => t.arn === arn);
    const candidates = ['a', 'b', 'c', 'd', 'zz'].map((taskArn) => ({ taskArn }));
    expect(agreedStopTasks(candidates, lookup).map((t) => t.taskArn)).toEqual(['b', 'c', 'zz']);
  });
});

describe('role credentials', () => {
  it('reads both roles and makes fake but well-formed credentials', () => {
    const roles = rolesOf({ family: 'f', containerDefinitions: [], taskRoleArn: 'arn:r1', executionRoleArn: 'arn:r2' });
    expect(roles).toEqual([{ roleType: 'TaskApplication', roleArn: 'arn:r1' }, { roleType: 'TaskExecution', roleArn: 'arn:r2' }]);
    expect(rolesOf({ family: 'f', containerDefinitions: [] })).toEqual([]);
    expect(credentialRefs(roles.map((r, i) => ({ ...r, credentialsId: `id${i}` })))).toEqual({
      roleCredentials: { credentialsId: 'id0', roleArn: 'arn:r1' }, executionRoleCredentials: { credentialsId: 'id1', roleArn: 'arn:r2' },
    });
    const c = fakeCredentials({ credentialsId: 'x', roleArn: 'arn:r1', now: Date.UTC(2026, 0, 1) });
    expect(c.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(c.secretAccessKey).toHaveLength(40);
    expect(c.expiration).toBe('2026-01-01T01:00:00Z');
  });
});

describe('task health', () => {
  const t = task('a', { containers: [
    { containerArn: '1', name: 'web', image: 'i', lastStatus: 'RUNNING', essential: true, networkBindings: [] },
    { containerArn: '2', name: 'side', image: 'i', lastStatus: 'RUNNING', essential: false, networkBindings: [] },
  ] });
  it('follows the essential containers', () => {
    expect(taskHealthStatus(t, new Map())).toBe('UNKNOWN');
    expect(taskHealthStatus(t, new Map([['web', 'HEALTHY']]))).toBe('HEALTHY');
    expect(taskHealthStatus(t, new Map([['web', 'HEALTHY'], ['side', 'UNHEALTHY']]))).toBe('HEALTHY'); // not essential
    expect(taskHealthStatus(t, new Map([['web', 'UNHEALTHY']]))).toBe('UNHEALTHY');
  });
});
