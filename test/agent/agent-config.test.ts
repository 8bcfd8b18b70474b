import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAgentConfig } from '../../src/agent/config/agent-config.ts';
import { parseEnvFile, parseGoBool, parseGoDuration } from '../../src/agent/config/go-values.ts';
import { useTempDirs } from '../temp-dirs.ts';

const tempDir = useTempDirs();

const NO_FILE = { ECS_AGENT_CONFIG_FILE_PATH: '/dev/null/no-ecs.config' };

describe('Go value syntaxes', () => {
  it('parses durations as the Go agent does', () => {
    expect(parseGoDuration('30s')).toBe(30_000);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('3h')).toBe(10_800_000);
    expect(parseGoDuration('500ms')).toBe(500);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(() => parseGoDuration('30')).toThrow(/not a duration/);
    expect(() => parseGoDuration('3 h')).toThrow(/not a duration/);
  });
  it('parses booleans as strconv.ParseBool', () => {
    expect(parseGoBool('true')).toBe(true);
    expect(parseGoBool('1')).toBe(true);
    expect(parseGoBool('F')).toBe(false);
    expect(() => parseGoBool('yes')).toThrow(/not a boolean/);
  });
  it('reads ecs.config lines', () => {
    expect(parseEnvFile('# comment\nECS_CLUSTER=prod\n\nECS_LOGLEVEL="debug"\nexport ECS_EXTERNAL=true\nbroken line\n'))
      .toEqual({ ECS_CLUSTER: 'prod', ECS_LOGLEVEL: 'debug', ECS_EXTERNAL: 'true' });
  });
});

describe('loadAgentConfig', () => {
  it('has the real agent defaults', () => {
    const c = loadAgentConfig({ ...NO_FILE, AWS_DEFAULT_REGION: 'us-west-2' });
    expect(c).toMatchObject({
      cluster: 'default', region: 'us-west-2', containerStopTimeoutMs: 30_000, reservedMemoryMiB: 0,
      reservedPorts: [22, 2375, 2376, 51678, 51679], reservedPortsUdp: [], imagePullBehavior: 'default',
      external: false, checkpoint: true, logLevel: 'info', taskCleanupWaitMs: 3 * 3_600_000,
    });
    expect(c.backendHost).toBeUndefined();
  });

  it('reads /etc/ecs/ecs.config, and the environment wins over the file', () => {
    const dir = tempDir('dockhand-cfg-');
    const file = join(dir, 'ecs.config');
    writeFileSync(file, 'ECS_CLUSTER=from-file\nECS_CONTAINER_STOP_TIMEOUT=2s\nAWS_REGION=eu-west-1\n');
    const c = loadAgentConfig({ ECS_AGENT_CONFIG_FILE_PATH: file, ECS_CLUSTER: 'from-env' });
    expect(c.cluster).toBe('from-env');
    expect(c.containerStopTimeoutMs).toBe(2000);
    expect(c.region).toBe('eu-west-1');
  });

  it.each([
    ['ECS_CONTAINER_STOP_TIMEOUT', 'banana', /ECS_CONTAINER_STOP_TIMEOUT.*not a duration/],
    ['ECS_CONTAINER_STOP_TIMEOUT', '500ms', /ECS_CONTAINER_STOP_TIMEOUT must be at least 1s/],
    ['ECS_IMAGE_PULL_BEHAVIOR', 'sometimes', /ECS_IMAGE_PULL_BEHAVIOR/],
    ['ECS_RESERVED_PORTS', '[99999]', /ECS_RESERVED_PORTS/],
    ['ECS_RESERVED_MEMORY', '-5', /ECS_RESERVED_MEMORY/],
    ['ECS_EXTERNAL', 'yes', /ECS_EXTERNAL.*not a boolean/],
    ['ECS_BACKEND_HOST', 'ftp://x', /ECS_BACKEND_HOST/],
    ['ECS_LOGLEVEL', 'loud', /ECS_LOGLEVEL/],
  ])('a bad %s (%s) is a startup error naming it', (name, value, message) => {
    expect(() => loadAgentConfig({ ...NO_FILE, AWS_REGION: 'us-east-1', [name]: value })).toThrow(message);
  });

  it('warns about unknown ECS_* names, and about real-agent settings Dockhand ignores', () => {
    const c = loadAgentConfig({ ...NO_FILE, AWS_REGION: 'us-east-1', ECS_CLUSTR: 'typo', ECS_ENABLE_TASK_ENI: 'true', ECS_CLUSTER: 'ok', HOME: '/root' });
    expect(c.warnings).toEqual([
      'ECS_CLUSTR is not a setting Dockhand or the ECS agent knows (a typo?); it is ignored',
      'ECS_ENABLE_TASK_ENI is a real ECS agent setting that Dockhand does not support yet; it is ignored',
    ]);
  });

  it('requires a region in external mode; on EC2 it may come from instance metadata', () => {
    expect(() => loadAgentConfig({ ...NO_FILE, ECS_EXTERNAL: 'true' })).toThrow(/AWS_DEFAULT_REGION.*ECS_EXTERNAL=true/);
    expect(loadAgentConfig({ ...NO_FILE }).region).toBeUndefined();
  });
});
