// Liveness of one ACS connection, as pure data. Real ACS drops an agent that stops answering
// heartbeats; a half-open TCP connection otherwise looks "connected" forever and placement keeps
// sending it tasks. Two rules, one timeout: every HeartbeatMessage must be acked (by messageId)
// within it, and the agent must send some frame within it (it acks each heartbeat, so a healthy
// agent always does).

export interface HeartbeatWatch {
  /** When the agent last sent any frame (connect time until it does). */
  lastFrameAt: number;
  /** Heartbeats sent and not yet acked: messageId → sent at. */
  unacked: Readonly<Record<string, number>>;
}

export type LivenessVerdict =
  | { kind: 'alive' }
  | { kind: 'heartbeat-unacked'; messageId: string; sentAt: number }
  | { kind: 'silent'; lastFrameAt: number };

export function newWatch(now: number): HeartbeatWatch {
  return { lastFrameAt: now, unacked: {} };
}

export function heartbeatSent(w: HeartbeatWatch, messageId: string, now: number): HeartbeatWatch {
  return { ...w, unacked: { ...w.unacked, [messageId]: now } };
}

/** Any frame from the agent; `ackedHeartbeat` when it is a HeartbeatAckRequest. */
export function frameReceived(w: HeartbeatWatch, now: number, ackedHeartbeat?: string): HeartbeatWatch {
  if (ackedHeartbeat === undefined || !(ackedHeartbeat in w.unacked)) return { ...w, lastFrameAt: now };
  const { [ackedHeartbeat]: _acked, ...rest } = w.unacked;
  return { lastFrameAt: now, unacked: rest };
}

export function verdict(w: HeartbeatWatch, now: number, timeoutMs: number): LivenessVerdict {
  let oldest: [string, number] | undefined;
  for (const entry of Object.entries(w.unacked)) if (!oldest || entry[1] < oldest[1]) oldest = entry;
  if (oldest && now - oldest[1] >= timeoutMs) return { kind: 'heartbeat-unacked', messageId: oldest[0], sentAt: oldest[1] };
  if (now - w.lastFrameAt >= timeoutMs) return { kind: 'silent', lastFrameAt: w.lastFrameAt };
  return { kind: 'alive' };
}
