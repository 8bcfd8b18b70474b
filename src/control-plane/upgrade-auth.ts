// Websocket upgrades (ACS and TCS) are SigV4-signed over `host;x-amz-date` by the real agent. We
// have no copy of the caller's secret, so we check the shape: a parseable SigV4 Authorization
// header for service "ecs" whose signed headers include host and x-amz-date.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { parseAuthorization } from '../protocol/sigv4-websocket.ts';

/** Undefined when acceptable, else why not. */
export function signatureProblem(authorization: string | undefined): string | undefined {
  if (!authorization) return 'missing Authorization header';
  const auth = parseAuthorization(authorization);
  if (!auth) return 'Authorization header is not a SigV4 signature';
  if (!auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('x-amz-date')) {
    return 'the signature must cover host and x-amz-date';
  }
  return undefined;
}

export function upgradeSignatureProblem(req: IncomingMessage): string | undefined {
  const problem = signatureProblem(req.headers.authorization);
  if (problem) return problem;
  return req.headers['x-amz-date'] ? undefined : 'missing X-Amz-Date header';
}

/** Answers an upgrade request with a plain HTTP error and drops the socket. */
export function rejectUpgrade(socket: Duplex, status: number, text: string, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
