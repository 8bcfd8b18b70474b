// Parsers for the value syntaxes the real (Go) agent accepts, so an ecs.config written for it
// means the same thing here: Go durations ("30s", "1m30s", "3h"), strconv.ParseBool booleans, and
// JSON lists/maps.

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration string to milliseconds; throws on anything else. */
export function parseGoDuration(value: string): number {
  const text = value.trim();
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== text.length) throw new Error(`"${value}" is not a duration (e.g. 30s, 1m30s, 3h)`);
  return total;
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** strconv.ParseBool: the spellings the Go agent accepts. */
export function parseGoBool(value: string): boolean {
  const text = value.trim();
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  throw new Error(`"${value}" is not a boolean (true or false)`);
}

export function parseJsonPortList(value: string): number[] {
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed) || !parsed.every((p) => Number.isInteger(p) && p >= 0 && p <= 65535)) {
    throw new Error(`"${value}" is not a JSON list of ports, e.g. [22, 2375]`);
  }
  return parsed as number[];
}

export function parseJsonStringList(value: string): string[] {
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) {
    throw new Error(`"${value}" is not a JSON list of strings, e.g. ["json-file","none"]`);
  }
  return parsed as string[];
}

export function parseJsonStringMap(value: string): Record<string, string> {
  const parsed: unknown = JSON.parse(value);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) ||
      !Object.values(parsed).every((v) => typeof v === 'string')) {
    throw new Error(`"${value}" is not a JSON object of strings, e.g. {"stack":"prod"}`);
  }
  return parsed as Record<string, string>;
}

/** Parses /etc/ecs/ecs.config: KEY=VALUE lines, '#' comments, optional surrounding quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim().replace(/^export\s+/, '');
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) value = value.slice(1, -1);
    out[key] = value;
  }
  return out;
}
