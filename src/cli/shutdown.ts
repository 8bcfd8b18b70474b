// SIGTERM / SIGINT handling shared by the commands: close in order, exit 0, and never hang — a
// second signal or a 2 s deadline exits anyway (tasks keep running either way).

export function onShutdown(close: () => Promise<void>, log: (msg: string) => void, deadlineMs = 2000): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (closing) process.exit(0);
    closing = true;
    log(`received ${signal}; shutting down`);
    const timer = setTimeout(() => process.exit(0), deadlineMs);
    timer.unref();
    close().then(() => process.exit(0), () => process.exit(0));
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

export function parsePort(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number (0-65535), was "${value}"`);
  return port;
}
