// The agent's ECS API client: the real @aws-sdk/client-ecs, so requests are SigV4-signed with the
// standard AWS credential chain (env, shared files, SSO, IMDS, ECS Anywhere's credentials file via
// AWS_SHARED_CREDENTIALS_FILE / AWS_PROFILE) and carry a user agent naming Dockhand.
import { ECSClient } from '@aws-sdk/client-ecs';
import type { SigningCredentials } from '../../protocol/sigv4-websocket.ts';
import { AGENT_HASH, AGENT_NAME, AGENT_VERSION } from '../version.ts';
import { useCanonicalBodies, useRealAgentHeaders } from './canonical-body.ts';

export interface EcsClientOptions {
  region: string;
  /** ECS_BACKEND_HOST; undefined means the SDK's regional endpoint. */
  endpoint: string | undefined;
  /** Static credentials (tests, `dockhand local`); otherwise the default chain. */
  credentials?: SigningCredentials;
  /** A request with no answer after this long fails and is retried by its caller (default 30 s). */
  requestTimeoutMs?: number;
}

export function createEcsClient(o: EcsClientOptions): ECSClient {
  const client = new ECSClient({
    region: o.region,
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
    customUserAgent: [[AGENT_NAME, AGENT_VERSION]],
    // The outbox and the ACS session have their own retry loops with backoff; one SDK retry
    // smooths over a dropped keep-alive connection without hiding an outage.
    maxAttempts: 2,
    // The real agent signs no payload-hash header; the SDK passes this through to its signer.
    applyChecksum: false,
    // A control plane that accepts and never answers must not hold a task's reports forever.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: o.requestTimeoutMs ?? 30_000, throwOnRequestTimeout: true },
  } as NonNullable<ConstructorParameters<typeof ECSClient>[0]>);
  useCanonicalBodies(client);
  useRealAgentHeaders(client, `${AGENT_NAME}/${AGENT_VERSION} (ECS agent ${AGENT_HASH}) (${process.platform})`);
  return client;
}

/** Resolves the client's current credentials (for signing the ACS/TCS websockets). */
export async function currentCredentials(client: ECSClient): Promise<SigningCredentials> {
  const provider = client.config.credentials;
  const c = await provider();
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) };
}
