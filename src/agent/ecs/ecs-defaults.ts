// What @aws-sdk/client-ecs resolved for the agent when nothing was configured, from the same SDK
// packages: the default credential chain (@aws-sdk/credential-provider-node, memoized and
// refreshed before expiry) and the regional endpoint (ECS's endpoint rules over the SDK's
// partition table, with use_fips_endpoint / use_dualstack_endpoint from env or shared config).
// Loaded on first use, so a client with static credentials and an endpoint never loads them.
import type { SigningCredentials } from '../../protocol/sigv4-websocket.ts';

export type CredentialProvider = () => Promise<SigningCredentials & { expiration?: Date }>;

export function defaultCredentialChain(region: string): CredentialProvider {
  let provider: Promise<CredentialProvider> | undefined;
  return async () => {
    provider ??= import('@aws-sdk/credential-provider-node').then(({ defaultProvider }) =>
      // As the SDK client passed it: the client's region reaches the STS/SSO providers.
      defaultProvider({ parentClientConfig: { region } }) as CredentialProvider);
    return (await provider)();
  };
}

/** https://ecs[-fips].<region>.<dnsSuffix | dualStackDnsSuffix>, as ECS's endpoint rule set. */
export async function regionalEndpoint(region: string): Promise<URL> {
  const [{ partition }, { loadConfig, NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS }] =
    await Promise.all([import('@aws-sdk/core/client'), import('@smithy/core/config')]);
  const [fips, dualStack] = await Promise.all([loadConfig(NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS)(), loadConfig(NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS)()]);
  const p = partition(region);
  if (fips && !p.supportsFIPS) throw new Error(`FIPS is enabled but the partition of ${region} does not support FIPS`);
  if (dualStack && !p.supportsDualStack) throw new Error(`DualStack is enabled but the partition of ${region} does not support DualStack`);
  return new URL(`https://ecs${fips ? '-fips' : ''}.${region}.${dualStack ? p.dualStackDnsSuffix : p.dnsSuffix}`);
}
