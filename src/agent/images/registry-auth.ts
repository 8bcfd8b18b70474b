// Agent-wide private registry credentials: ECS_ENGINE_AUTH_TYPE + ECS_ENGINE_AUTH_DATA, in the real
// agent's two formats (agent/dockerclient/dockerauth):
//   docker     {"registry.example.com": {"username": "..", "password": "..", "email": ".."}}
//   dockercfg  {"registry.example.com": {"auth": "base64(user:pass)", "email": ".."}}
// Keys may carry an http(s):// scheme and a /namespace; an image gets the entry of its registry host,
// the longest key that is a prefix of the image winning (one host, several namespaces). Docker Hub
// images use the "index.docker.io/v1/" entry, as `docker login` writes it.
// Nothing here ever logs or returns the data in a message: warnings name the registry only.

/** What Docker's X-Registry-Auth header carries. */
export interface RegistryCredentials {
  username: string;
  password: string;
  email?: string;
  serveraddress: string;
}

export interface RegistryAuth {
  /** The credentials for `image`'s registry, if any were configured. */
  credentialsFor(image: string): RegistryCredentials | undefined;
  /** Registries (keys) that have credentials, for a start-up log line. */
  registries(): string[];
}

const DOCKER_HUB_KEY = 'index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** Parses the two settings; a problem becomes a warning (the real agent pulls without credentials). */
export function parseEngineAuth(type: string, data: string): { auth: RegistryAuth; warnings: string[] } {
  const warnings: string[] = [];
  const entries = new Map<string, Omit<RegistryCredentials, 'serveraddress'>>();
  if (type !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data || 'null');
    } catch {
      parsed = undefined; // the parser's message quotes the data: never repeat it
    }
    if (type !== 'docker' && type !== 'dockercfg') {
      warnings.push(`ECS_ENGINE_AUTH_TYPE "${type}" is not docker or dockercfg; pulling without registry credentials`);
    } else if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      warnings.push(`ECS_ENGINE_AUTH_DATA is not a JSON object of registries (ECS_ENGINE_AUTH_TYPE=${type}); pulling without registry credentials`);
    } else {
      for (const [registry, value] of Object.entries(parsed)) {
        const entry = type === 'docker' ? dockerEntry(value) : dockercfgEntry(value);
        if (typeof entry === 'string') warnings.push(`ECS_ENGINE_AUTH_DATA entry for ${registry}: ${entry}; ignored`);
        else entries.set(stripScheme(registry), entry);
      }
    }
  }
  return {
    warnings,
    auth: {
      registries: () => [...entries.keys()],
      credentialsFor: (image) => {
        const key = matchingKey(image, [...entries.keys()]);
        const entry = key === undefined ? undefined : entries.get(key);
        return entry && key !== undefined ? { ...entry, serveraddress: key } : undefined;
      },
    },
  };
}

function dockerEntry(v: unknown): Omit<RegistryCredentials, 'serveraddress'> | string {
  const o = v as { username?: unknown; password?: unknown; email?: unknown } | null;
  if (typeof o !== 'object' || o === null || typeof o.username !== 'string' || typeof o.password !== 'string') {
    return 'needs "username" and "password" strings';
  }
  return { username: o.username, password: o.password, ...(typeof o.email === 'string' && o.email ? { email: o.email } : {}) };
}

function dockercfgEntry(v: unknown): Omit<RegistryCredentials, 'serveraddress'> | string {
  const o = v as { auth?: unknown; email?: unknown } | null;
  if (typeof o !== 'object' || o === null || typeof o.auth !== 'string') return 'needs an "auth" string';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(o.auth)) return '"auth" is not base64';
  const decoded = Buffer.from(o.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return '"auth" must decode to user:password';
  return {
    username: decoded.slice(0, colon), password: decoded.slice(colon + 1),
    ...(typeof o.email === 'string' && o.email ? { email: o.email } : {}),
  };
}

function stripScheme(registry: string): string {
  return registry.replace(/^https?:\/\//, '');
}

/** The registry host of an image reference ("docker.io" for Hub images), as Docker splits names. */
export function registryHostOf(image: string): string {
  const repository = repositoryOf(image);
  const slash = repository.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = repository.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : 'docker.io';
}

/** The image without its tag and digest. */
function repositoryOf(image: string): string {
  const noDigest = image.split('@')[0]!;
  const lastColon = noDigest.lastIndexOf(':');
  return lastColon > noDigest.lastIndexOf('/') ? noDigest.slice(0, lastColon) : noDigest;
}

function matchingKey(image: string, keys: string[]): string | undefined {
  const host = registryHostOf(image);
  if (DOCKER_HUB_HOSTS.has(host)) return keys.includes(DOCKER_HUB_KEY) ? DOCKER_HUB_KEY : undefined;
  // The longest "host/namespace" key that prefixes the image, else the host's own key, else any
  // key on that host (the real agent's fallback), so that the choice never depends on key order.
  const sameHost = keys.filter((k) => k.split('/')[0] === host).sort((a, b) => b.length - a.length);
  const prefixing = sameHost.find((k) => k !== host && image.startsWith(k.endsWith('/') ? k : `${k}/`));
  return prefixing ?? (sameHost.includes(host) ? host : sameHost[0]);
}
