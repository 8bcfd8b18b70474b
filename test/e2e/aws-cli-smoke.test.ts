// The README's walk-through, with the real AWS CLI v2 (Debian's awscli) against `dockhand local`:
// register a task definition, run it, wait with the CLI's own waiters, stop it with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startLocalHarness, TEST_IMAGE, type LocalHarness } from './local-harness.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws'; // Debian's awscli (v2); bootstrap.sh --test installs it
let h: LocalHarness;
beforeAll(async () => { h = await startLocalHarness(); });
afterAll(async () => { await h?.stop(); });

async function aws(...args: string[]): Promise<string> {
  const { stdout } = await run(AWS, ['ecs', ...args, '--endpoint-url', h.url, '--output', 'text'], {
    env: { PATH: process.env.PATH, HOME: h.dataDir, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'us-east-1', AWS_PAGER: '' },
    timeout: 60_000,
  });
  return stdout.trim();
}

describe('AWS CLI v2 against dockhand local', () => {
  it('runs the README walk-through', async () => {
    const version = (await run(AWS, ['--version'])).stdout;
    expect(version).toMatch(/^aws-cli\/2\./);
    const containers = JSON.stringify([{
      name: 'web', image: TEST_IMAGE, memory: 64, portMappings: [{ containerPort: 8080 }],
      command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'],
    }]);
    expect(await aws('register-task-definition', '--family', 'cli-web', '--container-definitions', containers, '--query', 'taskDefinition.revision'))
      .toBe('1');
    const taskArn = await aws('run-task', '--task-definition', 'cli-web', '--query', 'tasks[0].taskArn');
    expect(taskArn).toMatch(/^arn:aws:ecs:us-east-1:\d{12}:task\/default\/[0-9a-f]{32}$/);
    await aws('wait', 'tasks-running', '--tasks', taskArn);
    const [status, hostPort] = (await aws('describe-tasks', '--tasks', taskArn, '--query', 'tasks[0].[lastStatus,containers[0].networkBindings[0].hostPort]')).split(/\s+/);
    expect(status).toBe('RUNNING');
    expect(Number(hostPort)).toBeGreaterThan(0);
    expect(await aws('stop-task', '--task', taskArn, '--reason', 'done', '--query', 'task.desiredStatus')).toBe('STOPPED');
    await aws('wait', 'tasks-stopped', '--tasks', taskArn);
    expect((await aws('describe-tasks', '--tasks', taskArn, '--query', 'tasks[0].[lastStatus,stoppedReason,containers[0].exitCode]')).split('\t'))
      .toEqual(['STOPPED', 'done', '0']);
    const instances = await aws('list-container-instances', '--query', 'length(containerInstanceArns)');
    expect(instances).toBe('1');
  });
});
