// One ECS JSON 1.1 exchange over node:http(s) with keep-alive sockets, the timeouts the agent set
// on the SDK's request handler, and the SDK's error shapes: an ECS error answer becomes an Error
// named by its `__type` (ClientException, ServerException …) with `$fault` and `$metadata`; a
// socket that never connects or a request that never answers fails as `TimeoutError`.
import type { Agent as HttpAgent, IncomingHttpHeaders } from 'node:http';
import type { ResponseMetadata } from './ecs-commands.ts';

// Through getBuiltinModule, not `import … from 'node:http'`: an ESM import of node:http builds
// its namespace, which reads http.WebSocket & co. and so loads undici (~14 MB RSS) for nothing.
const http = process.getBuiltinModule('node:http');

export interface EcsHttpRequest {
  url: URL;
  path: string;
  headers: Record<string, string>;
  body: string;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  abortSignal?: AbortSignal | undefined;
}

export interface EcsHttpResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An ECS error answer, shaped as the SDK's service exceptions. */
export class EcsServiceError extends Error {
  $fault: 'client' | 'server';
  $metadata: ResponseMetadata;

  constructor(name: string, message: string, fault: 'client' | 'server', metadata: ResponseMetadata) {
    super(message);
    this.name = name;
    this.$fault = fault;
    this.$metadata = metadata;
  }
}

/** Keep-alive agents as the SDK's handler keeps (maxSockets 50); https is loaded only if used. */
export function keepAliveAgent(url: URL): HttpAgent {
  const options = { keepAlive: true, maxSockets: 50 };
  return url.protocol === 'https:' ? new (process.getBuiltinModule('node:https').Agent)(options) : new http.Agent(options);
}

const timeoutError = (message: string): Error => Object.assign(new Error(message), { name: 'TimeoutError', code: 'ETIMEDOUT' });

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason as unknown;
  return Object.assign(new Error(reason instanceof Error ? reason.message : 'Request aborted'), { name: 'AbortError' });
}

export function exchange(r: EcsHttpRequest, agent: HttpAgent): Promise<EcsHttpResponse> {
  return new Promise((resolve, reject) => {
    if (r.abortSignal?.aborted) return reject(abortError(r.abortSignal));
    const secure = r.url.protocol === 'https:';
    const request = secure ? process.getBuiltinModule('node:https').request : http.request;
    const hostname = r.url.hostname.startsWith('[') ? r.url.hostname.slice(1, -1) : r.url.hostname;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (err: Error | undefined, res?: EcsHttpResponse): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      r.abortSignal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(res!);
    };
    const req = request({
      method: 'POST', host: hostname, port: r.url.port || undefined, path: r.path, headers: r.headers, agent,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish(undefined, { statusCode: res.statusCode ?? -1, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => finish(err));
    });
    const fail = (err: Error): void => {
      req.destroy();
      finish(err);
    };
    function onAbort(): void {
      fail(abortError(r.abortSignal!));
    }
    r.abortSignal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // As the SDK's handler: socket-level timeouts and resets are named TimeoutError (retryable).
      if (['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(err.code ?? '')) err.name = 'TimeoutError';
      finish(err);
    });
    timers.push(setTimeout(() => fail(timeoutError(`ECS request exceeded its ${r.requestTimeoutMs} ms timeout`)), r.requestTimeoutMs));
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      const t = setTimeout(() => fail(timeoutError(`no connection to ${r.url.host} within ${r.connectionTimeoutMs} ms`)), r.connectionTimeoutMs);
      timers.push(t);
      socket.once('connect', () => clearTimeout(t));
    });
    req.end(r.body);
  });
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function responseMetadata(res: EcsHttpResponse): ResponseMetadata {
  const requestId = header(res.headers, 'x-amzn-requestid') ?? header(res.headers, 'x-amzn-request-id') ?? header(res.headers, 'x-amz-request-id');
  return { httpStatusCode: res.statusCode, ...(requestId ? { requestId } : {}) };
}

/** The SDK's reading of a JSON 1.1 error: code from x-amzn-errortype or `__type`/`code`, with any
 *  namespace (`com.amazonaws.ecs#`) and suffix (`:http://…`) removed. */
export function serviceError(res: EcsHttpResponse, body: Record<string, unknown>): EcsServiceError {
  const raw = header(res.headers, 'x-amzn-errortype') ?? (body.__type as string | undefined) ?? (body.code as string | undefined) ?? 'Unknown';
  const name = raw.split(':')[0]!.split('#').at(-1)!;
  const message = (body.message ?? body.Message ?? 'UnknownError') as string;
  return new EcsServiceError(name, String(message), res.statusCode >= 500 ? 'server' : 'client', responseMetadata(res));
}

export function parseJson(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
