// UpdateContainerAgent. ECS updates its agent through ecs-init on the instance; a Dockhand agent
// is updated by installing a newer Dockhand package on the host, so the control plane never has
// an update to push. The honest answer is ECS's own NoUpdateAvailableException, with the how-to.
import { EcsError, invalidParameter } from '../errors.ts';
import type { Handler } from './context.ts';
import { optString, reqString } from './input.ts';
import { activeCluster, toInstanceArn } from './resolve.ts';

const updateContainerAgent: Handler = (ctx, input) => {
  const cluster = activeCluster(ctx, optString(input, 'cluster'));
  const arn = toInstanceArn(ctx, cluster, reqString(input, 'containerInstance'));
  const instance = ctx.store.getContainerInstance(arn);
  if (!instance || instance.clusterName !== cluster.name || instance.status === 'INACTIVE') {
    throw invalidParameter('The referenced container instance was not found.');
  }
  const version = instance.versionInfo?.agentVersion;
  if (!version) {
    throw new EcsError('MissingVersionException', `Container instance ${arn} did not report its agent version at registration, so no update can be determined.`);
  }
  throw new EcsError('NoUpdateAvailableException',
    `There is no update available for the agent on ${arn} (version ${version}): Dockhand agents are updated by installing a newer Dockhand package on the instance and restarting the agent, not through UpdateContainerAgent.`);
};

export const containerAgentHandlers: Record<string, Handler> = {
  UpdateContainerAgent: updateContainerAgent,
};
