// When the agent's ECS client retries, as the SDK's standard retry strategy decided it: throttling
// and transient failures (5xx 500/502/503/504, timeouts, resets, DNS hiccups, a signature
// corrected for clock skew) are retried after a jittered delay, paid from a token bucket so an
// outage does not double the traffic; client errors (4xx) never are.
import type { ResponseMetadata } from './ecs-commands.ts';

export type RetryKind = 'throttling' | 'transient';

type ClassifiedError = Error & { code?: string; $metadata?: ResponseMetadata; cause?: unknown };

const THROTTLING = new Set([
  'BandwidthLimitExceeded', 'EC2ThrottledException', 'LimitExceededException', 'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException',
  'SlowDown', 'ThrottledException', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'TransactionInProgressException',
]);
const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const CLOCK_SKEW = new Set([
  'AccessDeniedException', 'AuthFailure', 'InvalidSignatureException', 'RequestExpired', 'RequestInTheFuture', 'RequestTimeTooSkewed', 'SignatureDoesNotMatch',
]);

export const isClockSkewError = (err: Error): boolean => CLOCK_SKEW.has(err.name);

function isTransient(err: ClassifiedError, depth = 0): boolean {
  if (err.name === 'AbortError') return false;
  return err.$metadata?.clockSkewCorrected === true
    || (err.name === 'InvalidSignatureException' && err.message.includes('Signature expired'))
    || TRANSIENT_NAMES.has(err.name)
    || TRANSIENT_CODES.has(err.code ?? '')
    || TRANSIENT_STATUS.has(err.$metadata?.httpStatusCode ?? 0)
    || (err.cause instanceof Error && depth <= 10 && isTransient(err.cause as ClassifiedError, depth + 1));
}

export function retryKind(err: ClassifiedError): RetryKind | undefined {
  if (err.$metadata?.httpStatusCode === 429 || THROTTLING.has(err.name)) return 'throttling';
  return isTransient(err) ? 'transient' : undefined;
}

/** Before retry `attempt` (1 = the first retry): a random share of 50 ms (1 s when throttled),
 *  doubling per attempt, at most 20 s. */
export function retryDelayMs(kind: RetryKind, attempt: number): number {
  const base = kind === 'throttling' ? 1_000 : 50;
  return Math.floor(Math.random() * Math.min(base * 2 ** (attempt - 1), 20_000));
}

/** The SDK's retry quota: 500 tokens; a retry costs 14 (5 when throttled); a success returns the
 *  cost of the retry that led to it, or 1. */
export class RetryQuota {
  #capacity = 500;

  /** The retry's cost, or undefined when the quota cannot pay for it. */
  take(kind: RetryKind): number | undefined {
    const cost = kind === 'throttling' ? 5 : 14;
    if (this.#capacity < cost) return undefined;
    this.#capacity -= cost;
    return cost;
  }

  /** A request succeeded, after a retry that cost `retryCost` if it had one. */
  succeeded(retryCost: number | undefined): void {
    this.#capacity = Math.min(500, this.#capacity + (retryCost ?? 1));
  }
}
