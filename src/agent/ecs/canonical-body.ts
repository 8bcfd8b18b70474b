// Makes the agent's request bodies match the real agent's on the wire: the Go agent marshals its
// model structs with keys in alphabetical order (capture: every body), and it sends fields that the
// public API model lacks (RegisterContainerInstance's `clientToken`). Values are serialized as the
// AWS SDK's JSON 1.1 serializer does: absent and null members left out, timestamps as epoch
// seconds (Date#getTime() / 1000, so sub-millisecond digits are dropped as the SDK drops them).

/** An SDK-shaped input as JSON 1.1 values: Dates → epoch seconds, null/undefined members dropped. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined && v !== null) out[key] = toWire(v);
    }
    return out;
  }
  return value;
}

/** The request body: `input` plus `extra` (fields outside the public model), keys alphabetical. */
export function canonicalBody(input: object, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(toWire({ ...input, ...extra }));
}

/** Adds fields the public model lacks to one command's body (e.g. clientToken). */
export function withExtraBodyFields<C extends { extraBody: Record<string, unknown> }>(command: C, extra: Record<string, unknown>): C {
  command.extraBody = { ...command.extraBody, ...extra };
  return command;
}
