// The operations of the rest of the ECS API, gathered so that router.ts spreads them in one line:
// tags, account settings, capacity providers, cluster updates, ExecuteCommand and
// UpdateContainerAgent.
import { accountSettingHandlers } from './account-settings.ts';
import { capacityProviderHandlers } from './capacity-providers.ts';
import { clusterUpdateHandlers } from './cluster-updates.ts';
import { containerAgentHandlers } from './container-agent.ts';
import type { Handler } from './context.ts';
import { executeCommandHandlers } from './execute-command.ts';
import { tagHandlers } from './tags.ts';

export const opsHandlers: Record<string, Handler> = {
  ...tagHandlers,
  ...accountSettingHandlers,
  ...capacityProviderHandlers,
  ...clusterUpdateHandlers,
  ...executeCommandHandlers,
  ...containerAgentHandlers,
};
