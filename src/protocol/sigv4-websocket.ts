// SigV4 for the ACS and TCS websockets. The real agent signs the upgrade request over exactly
// `host;x-amz-date` (no payload-hash header), and for TCS it signs every frame the same way and
// sends the signed header block before the JSON. The control plane checks the shape, not the
// value: it has no copy of the caller's secret key.
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { ECS_SIGNING_SERVICE } from './ecs-wire.ts';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

class Sha256 extends Hash {
  constructor(secret?: string | Uint8Array) {
    super('sha256', secret as never);
  }
}

/** The signer both websockets use (the upgrade, and every TCS frame): service `ecs`, no
 *  payload-hash header, so the signed headers are exactly host;x-amz-date as the real agent's. */
export function ecsWebsocketSigner(region: string, credentials: SigningCredentials): SignatureV4 {
  return new SignatureV4({
    service: ECS_SIGNING_SERVICE,
    region,
    credentials,
    sha256: Sha256 as never, // @smithy/hash-node's Hash, bound to sha256
    applyChecksum: false,
    uriEscapePath: true,
  });
}

/** Signs a websocket upgrade of `url` (ws:// or wss://); returns headers to send with it. */
export async function signWebsocketUpgrade(options: {
  url: string;
  region: string;
  credentials: SigningCredentials;
  date?: Date;
}): Promise<Record<string, string>> {
  const url = new URL(options.url);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signed = await ecsWebsocketSigner(options.region, options.credentials).sign(
    {
      method: 'GET',
      protocol: url.protocol === 'wss:' ? 'https:' : 'http:',
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers: { host: url.host },
    },
    { signingDate: options.date ?? new Date() },
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) {
    if (name.toLowerCase() === 'host') continue; // the websocket client sets Host itself
    out[canonicalCase(name)] = String(value);
  }
  return out;
}

function canonicalCase(name: string): string {
  return name.split('-').map((p) => (p.length ? p[0]!.toUpperCase() + p.slice(1) : p)).join('-');
}

export interface ParsedAuthorization {
  algorithm: string;
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTH_RE =
  /^(AWS4-HMAC-SHA256) Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** Parses a SigV4 Authorization header; undefined when it is not one. */
export function parseAuthorization(value: string | undefined): ParsedAuthorization | undefined {
  if (!value) return undefined;
  const m = AUTH_RE.exec(value.trim());
  if (!m) return undefined;
  return {
    algorithm: m[1]!,
    accessKeyId: m[2]!,
    date: m[3]!,
    region: m[4]!,
    service: m[5]!,
    signedHeaders: m[6]!.split(';'),
    signature: m[7]!,
  };
}
