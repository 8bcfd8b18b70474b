// The long form of the outage proof: the control plane's API unreachable for 60 s while a task
// stops (npm run test:chaos). Same checks as the 10 s CI form.
import { afterAll, describe, it } from 'vitest';
import { startDurability, type Durability } from '../agent-durability/durability-harness.ts';
import { controlPlaneOutage } from '../agent-durability/control-plane-outage.ts';

let h: Durability | undefined;
afterAll(async () => { await h?.close(); });

describe('control plane down for 60 s', () => {
  it('delivers every transition, in order, once each, after a 60 s outage', async () => {
    h = await startDurability('cp-down-60');
    await controlPlaneOutage(h, 60_000);
  }, 180_000);
});
