// The control plane unreachable for 10 s while a task stops (the CI form; the 60 s form is in
// test/chaos): nothing is lost, nothing is sent twice, the order holds.
import { afterAll, describe, it } from 'vitest';
import { startDurability, type Durability } from './durability-harness.ts';
import { controlPlaneOutage } from './control-plane-outage.ts';

let h: Durability | undefined;
afterAll(async () => { await h?.close(); });

describe('control plane down while a task stops', () => {
  it('keeps the task stopped and delivers every transition in order once the control plane returns', async () => {
    h = await startDurability('cp-down');
    await controlPlaneOutage(h, 10_000);
  }, 90_000);
});
