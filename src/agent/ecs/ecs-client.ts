// The agent's ECS API client. It speaks exactly what the @aws-sdk/client-ecs client configured
// for the agent sent (same headers, order, alphabetical body, one retry), SigV4-signed by
// @smithy/signature-v4 with the SDK's default credential chain (env, shared files, SSO, IMDS,
// ECS Anywhere's credentials file via AWS_SHARED_CREDENTIALS_FILE / AWS_PROFILE). It does not
// load @aws-sdk/client-ecs: that package builds every ECS operation's schema and the full
// middleware stack at import, ~5 MB more agent RSS (14 MB on its own) for three operations
// (README, "Memory").
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import type { SigningCredentials } from '../../protocol/sigv4-websocket.ts';
import { ECS_CONTENT_TYPE, ECS_SIGNING_SERVICE, ECS_TARGET_PREFIX } from '../../protocol/ecs-wire.ts';
import { AGENT_HASH, AGENT_NAME, AGENT_VERSION } from '../version.ts';
import { canonicalBody } from './canonical-body.ts';
import type { EcsCommand, ResponseMetadata } from './ecs-commands.ts';
import { exchange, keepAliveAgent, parseJson, responseMetadata, serviceError, type EcsHttpResponse } from './ecs-http.ts';
import { isClockSkewError, RetryQuota, retryDelayMs, retryKind } from './ecs-retry.ts';
import { defaultCredentialChain, regionalEndpoint, type CredentialProvider } from './ecs-defaults.ts';

export * from './ecs-commands.ts';

export interface EcsClientOptions {
  region: string;
  /** ECS_BACKEND_HOST; undefined means the regional endpoint (as the SDK resolves it). */
  endpoint: string | undefined;
  /** Static credentials (tests, `dockhand local`); otherwise the default chain. */
  credentials?: SigningCredentials;
  /** A request with no answer after this long fails and is retried by its caller (default 30 s). */
  requestTimeoutMs?: number;
}

/** The real agent's user agent shape, naming Dockhand. */
const USER_AGENT = `${AGENT_NAME}/${AGENT_VERSION} (ECS agent ${AGENT_HASH}) (${process.platform})`;
/** The outbox and the ACS session have their own retry loops with backoff; one retry here smooths
 *  over a dropped keep-alive connection without hiding an outage (as maxAttempts 2 did). */
const MAX_ATTEMPTS = 2;
const CONNECTION_TIMEOUT_MS = 5_000;
/** The SDK's clock-skew correction: sign with the server's clock once it differs by > 5 min. */
const SKEW_TOLERANCE_MS = 300_000;

class Sha256 extends Hash {
  constructor(secret?: string | Uint8Array) {
    super('sha256', secret as never);
  }
}

export class EcsClient {
  /** As the SDK client's config: `credentials()` resolves (and refreshes) the current keys. */
  readonly config: { region: string; credentials: CredentialProvider };
  readonly #endpoint: Promise<URL>;
  readonly #signer: SignatureV4;
  readonly #requestTimeoutMs: number;
  readonly #quota = new RetryQuota();
  #agent: ReturnType<typeof keepAliveAgent> | undefined;
  #clockOffsetMs = 0;

  constructor(o: EcsClientOptions) {
    const credentials: CredentialProvider = o.credentials ? async () => o.credentials! : defaultCredentialChain(o.region);
    this.config = { region: o.region, credentials };
    this.#endpoint = o.endpoint ? Promise.resolve(new URL(o.endpoint)) : regionalEndpoint(o.region);
    this.#endpoint.catch(() => undefined); // reported by the first send
    this.#requestTimeoutMs = o.requestTimeoutMs ?? 30_000;
    // The real agent signs no payload-hash header (applyChecksum: false).
    this.#signer = new SignatureV4({ service: ECS_SIGNING_SERVICE, region: o.region, credentials, sha256: Sha256 as never, applyChecksum: false, uriEscapePath: true });
  }

  async send<I extends object, O>(command: EcsCommand<I, O>, o: { abortSignal?: AbortSignal | undefined } = {}): Promise<O & { $metadata: ResponseMetadata }> {
    const url = await this.#endpoint;
    const body = canonicalBody(command.input, command.extraBody);
    let totalRetryDelay = 0;
    let retryCost: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.#attempt(url, command.operation, body, o.abortSignal);
        this.#quota.succeeded(retryCost);
        return command.output(parseJson(res.body), { ...responseMetadata(res), attempts: attempt, totalRetryDelay });
      } catch (err) {
        const e = err as Error & { $metadata?: ResponseMetadata };
        const kind = retryKind(e);
        retryCost = attempt < MAX_ATTEMPTS && kind ? this.#quota.take(kind) : undefined;
        if (retryCost === undefined) {
          e.$metadata = { ...e.$metadata, attempts: attempt, totalRetryDelay };
          throw e;
        }
        const delay = retryDelayMs(kind!, attempt);
        totalRetryDelay += delay;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  async #attempt(url: URL, operation: string, body: string, abortSignal: AbortSignal | undefined): Promise<EcsHttpResponse> {
    const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
    // Header order as the SDK put them on the wire; the signer then adds x-amz-date,
    // x-amz-security-token and authorization. User-Agent is never signed.
    const unsigned = {
      method: 'POST', protocol: url.protocol, hostname: url.hostname, ...(url.port ? { port: Number(url.port) } : {}), path, query: {},
      headers: {
        'content-type': ECS_CONTENT_TYPE,
        'x-amz-target': `${ECS_TARGET_PREFIX}.${operation}`,
        'content-length': String(Buffer.byteLength(body)),
        host: url.host,
        'User-Agent': USER_AGENT,
      },
      body,
    };
    const signed = await this.#signer.sign(unsigned, { signingDate: new Date(Date.now() + this.#clockOffsetMs) });
    this.#agent ??= keepAliveAgent(url);
    const res = await exchange({
      url, path, headers: signed.headers, body, abortSignal,
      connectionTimeoutMs: CONNECTION_TIMEOUT_MS, requestTimeoutMs: this.#requestTimeoutMs,
    }, this.#agent);
    const skewed = this.#noteServerClock(res);
    if (res.statusCode >= 300) {
      const err = serviceError(res, parseJson(res.body));
      if (skewed && isClockSkewError(err)) err.$metadata = { ...err.$metadata, clockSkewCorrected: true };
      throw err;
    }
    return res;
  }

  /** Keeps the offset to the server's clock (its Date header); true when it just changed. */
  #noteServerClock(res: EcsHttpResponse): boolean {
    const serverMs = Date.parse(String(res.headers.date ?? ''));
    if (Number.isNaN(serverMs)) return false;
    if (Math.abs(serverMs - (Date.now() + this.#clockOffsetMs)) < SKEW_TOLERANCE_MS) return false;
    this.#clockOffsetMs = serverMs - Date.now();
    return true;
  }

  /** Closes idle keep-alive sockets (the SDK client's destroy()). */
  destroy(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
  }
}

export function createEcsClient(o: EcsClientOptions): EcsClient {
  return new EcsClient(o);
}

/** Resolves the client's current credentials (for signing the ACS/TCS websockets). */
export async function currentCredentials(client: EcsClient): Promise<SigningCredentials> {
  const c = await client.config.credentials();
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) };
}
