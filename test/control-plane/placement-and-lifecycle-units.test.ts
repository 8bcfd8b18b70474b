// The two pure cores on their own: placement arithmetic and the task state machine.
import { describe, expect, it } from 'vitest';
import { computeNeeds, parseCpuUnits, parseMemoryMiB } from '../../src/control-plane/model/effective-definition.ts';
import type { TaskRecord } from '../../src/control-plane/model/records.ts';
import { transition } from '../../src/control-plane/model/task-lifecycle.ts';
import { firstUnmet, placeTasks, remainingResources, type PlacementCandidate } from '../../src/control-plane/scheduler/placement.ts';

const instance = (arn: string, cpu: number, memory: number, o: Partial<PlacementCandidate> = {}): PlacementCandidate => ({
  arn,
  connected: true,
  reserved: [],
  registeredResources: [
    { name: 'CPU', type: 'INTEGER', integerValue: cpu },
    { name: 'MEMORY', type: 'INTEGER', integerValue: memory },
    { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22'] },
    { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
  ],
  ...o,
});
const needs = (cpu: number, memory: number, ports: number[] = [], portsUdp: number[] = []) => ({ cpu, memory, ports, portsUdp });

describe('placement', () => {
  it('subtracts live reservations and checks CPU, MEMORY, PORTS, PORTS_UDP in that order', () => {
    const i = instance('a', 1000, 1000, { reserved: [needs(600, 100, [8080], [53])] });
    expect(firstUnmet(i, needs(400, 900))).toBeUndefined();
    expect(firstUnmet(i, needs(401, 2000))).toBe('RESOURCE:CPU');
    expect(firstUnmet(i, needs(1, 901))).toBe('RESOURCE:MEMORY');
    expect(firstUnmet(i, needs(1, 1, [8080]))).toBe('RESOURCE:PORTS');
    expect(firstUnmet(i, needs(1, 1, [22]))).toBe('RESOURCE:PORTS');
    expect(firstUnmet(i, needs(1, 1, [53]))).toBeUndefined(); // tcp 53 is free, udp 53 is not
    expect(firstUnmet(i, needs(1, 1, [], [53]))).toBe('RESOURCE:PORTS_UDP');
    expect(firstUnmet({ ...i, connected: false }, needs(1, 1))).toBe('AGENT');
    expect(remainingResources(i.registeredResources, i.reserved)).toEqual([
      { name: 'CPU', type: 'INTEGER', integerValue: 400 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: 900 },
      { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '8080'] },
      { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: ['53'] },
    ]);
  });

  it('places copies one by one, counting earlier copies, random among fitting', () => {
    const r = placeTasks({ candidates: [instance('a', 100, 100), instance('b', 300, 300)], needs: needs(100, 100), count: 4, random: () => 0 });
    expect(r.placements).toEqual(['a', 'b', 'b', 'b']);
    expect(r.failures).toEqual([]);
    const last = placeTasks({ candidates: [instance('a', 100, 100), instance('b', 300, 300)], needs: needs(100, 100), count: 1, random: () => 0.99 });
    expect(last.placements).toEqual(['b']);
    const short = placeTasks({ candidates: [instance('a', 100, 100), instance('b', 150, 50)], needs: needs(100, 100), count: 2, random: () => 0 });
    expect(short.placements).toEqual(['a']);
    expect(short.failures).toEqual([{ arn: 'a', reason: 'RESOURCE:CPU' }, { arn: 'b', reason: 'RESOURCE:MEMORY' }]);
  });

  it('computes needs from task-level sizes, container sums and static host ports', () => {
    const containerDefinitions = [
      { name: 'a', image: 'i', cpu: 10, memory: 64, portMappings: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] },
      { name: 'b', image: 'i', cpu: 5, memoryReservation: 32, portMappings: [{ containerPort: 53, hostPort: 53, protocol: 'udp' as const }] },
    ];
    expect(computeNeeds({ family: 'f', containerDefinitions }, {})).toEqual(needs(15, 96, [8080], [53]));
    expect(computeNeeds({ family: 'f', containerDefinitions, cpu: '256', memory: '512' }, { memory: '1024' })).toEqual(needs(256, 1024, [8080], [53]));
    expect(computeNeeds({ family: 'f', networkMode: 'host', containerDefinitions: [{ name: 'a', image: 'i', memory: 1, portMappings: [{ containerPort: 9000 }] }] }, {}).ports).toEqual([9000]);
    expect(computeNeeds({ family: 'f', containerDefinitions }, { containerOverrides: [{ name: 'a', cpu: 100, memory: 10 }] })).toEqual(needs(105, 42, [8080], [53]));
    expect([parseCpuUnits('1 vCPU'), parseCpuUnits('512'), parseMemoryMiB('2GB'), parseMemoryMiB('bogus')]).toEqual([1024, 512, 2048, undefined]);
  });
});

describe('task lifecycle', () => {
  const base: TaskRecord = {
    arn: 't', clusterName: 'c', containerInstanceArn: 'i', taskDefinitionArn: 'td:1', launchType: 'EC2',
    lastStatus: 'PENDING', desiredStatus: 'RUNNING', version: 1, createdAt: 1000, group: 'family:td', tags: [], overrides: {},
    needs: needs(0, 0), containers: [{ containerArn: 'ca', name: 'app', image: 'img', lastStatus: 'PENDING', essential: true, networkBindings: [] }],
  };

  it('moves only forward and bumps the version on each change', () => {
    const running = transition(base, { kind: 'agent-running', at: 2000, containers: [{ containerName: 'app', status: 'RUNNING', runtimeId: 'r' }] });
    expect(running.changed && running.task).toMatchObject({ lastStatus: 'RUNNING', startedAt: 2000, version: 2 });
    const stop = transition(running.task, { kind: 'stop-requested', at: 3000, reason: 'bye' });
    expect(stop.task).toMatchObject({ desiredStatus: 'STOPPED', lastStatus: 'RUNNING', stoppingAt: 3000, stopCode: 'UserInitiated', stoppedReason: 'bye' });
    expect(transition(stop.task, { kind: 'stop-requested', at: 3500, reason: 'again' })).toMatchObject({ changed: false });
    const stopped = transition(stop.task, { kind: 'agent-stopped', at: 4000, reason: '', containers: [{ containerName: 'app', status: 'STOPPED', exitCode: 143 }] });
    expect(stopped.task).toMatchObject({ lastStatus: 'STOPPED', stoppedAt: 4000, executionStoppedAt: 4000, stopCode: 'UserInitiated', stoppedReason: 'bye', version: 4 });
    expect(stopped.task.containers[0]).toMatchObject({ lastStatus: 'STOPPED', exitCode: 143, runtimeId: 'r' });
    const stale = transition(stopped.task, { kind: 'agent-running', at: 5000, containers: [{ containerName: 'app', status: 'RUNNING' }] });
    expect(stale).toMatchObject({ changed: false, ignored: 'stale RUNNING report for a stopped task' });
    expect(transition(stopped.task, { kind: 'container-changed', at: 5000, change: { containerName: 'app', status: 'RUNNING' } }).changed).toBe(false);
  });

  it('chooses the stop code when the agent stops a task on its own', () => {
    const failed = transition(base, { kind: 'agent-stopped', at: 2000, reason: 'pull failed', containers: [] });
    expect(failed.task).toMatchObject({ stopCode: 'TaskFailedToStart', stoppedReason: 'pull failed', desiredStatus: 'STOPPED' });
    const exited = transition(base, { kind: 'agent-stopped', at: 2000, reason: '', containers: [{ containerName: 'app', status: 'STOPPED', exitCode: 1 }] });
    expect(exited.task).toMatchObject({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' });
  });
});
