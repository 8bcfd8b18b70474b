// A minimal ECS JSON 1.1 client: SigV4-signed POSTs over keep-alive HTTP. The SDK would do, but
// 500 simulated agents and tens of thousands of calls want something lighter, and timing a call
// "on the wire" needs the moment the request is written and the moment the last byte arrives,
// without the SDK's own (de)serialisation in between.
import { Agent, request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { ECS_CONTENT_TYPE, ECS_SIGNING_SERVICE, ECS_TARGET_PREFIX } from '../../src/protocol/ecs-wire.ts';
import type { SigningCredentials } from '../../src/protocol/sigv4-websocket.ts';

class Sha256 extends Hash {
  constructor(secret?: string | Uint8Array) {
    super('sha256', secret as never);
  }
}

export interface TimedResponse<T> {
  body: T;
  /** performance.now() just before the request was written. */
  sentAt: number;
  /** performance.now() when the last byte of the response arrived. */
  doneAt: number;
}

export class EcsCallError extends Error {
  override name = 'EcsCallError';
}

export class SignedJsonClient {
  readonly #url: URL;
  readonly #signer: SignatureV4;
  readonly #agent: Agent;

  constructor(o: { url: string; region: string; credentials: SigningCredentials; maxSockets?: number }) {
    this.#url = new URL(o.url);
    if (this.#url.hostname !== '127.0.0.1') throw new Error(`bench targets 127.0.0.1 only, not ${this.#url.hostname}`);
    this.#signer = new SignatureV4({ service: ECS_SIGNING_SERVICE, region: o.region, credentials: o.credentials, sha256: Sha256 as never });
    this.#agent = new Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 16 });
  }

  async call<T = Record<string, unknown>>(operation: string, input: unknown): Promise<T> {
    return (await this.timed<T>(operation, input)).body;
  }

  async timed<T = Record<string, unknown>>(operation: string, input: unknown): Promise<TimedResponse<T>> {
    const body = JSON.stringify(input);
    const signed = await this.#signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: this.#url.hostname,
      port: Number(this.#url.port),
      path: '/',
      headers: {
        host: this.#url.host,
        'content-type': ECS_CONTENT_TYPE,
        'content-length': String(Buffer.byteLength(body)),
        'x-amz-target': `${ECS_TARGET_PREFIX}.${operation}`,
      },
      body,
    });
    return new Promise((resolve, reject) => {
      const req = request({ host: this.#url.hostname, port: this.#url.port, path: '/', method: 'POST', headers: signed.headers, agent: this.#agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const doneAt = performance.now();
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(new EcsCallError(`${operation}: HTTP ${res.statusCode} ${text.slice(0, 300)}`));
          resolve({ body: JSON.parse(text) as T, sentAt, doneAt });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      const sentAt = performance.now();
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
