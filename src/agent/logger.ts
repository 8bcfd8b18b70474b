// The agent's logger: pino, JSON lines, with secrets redacted by path so that no credential,
// registry password or task environment value reaches a log line even if a caller logs an object.
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config/agent-config.ts';

export const REDACT_PATHS = [
  '*.secretAccessKey', '*.sessionToken', '*.accessKeyId', '*.password', '*.auth', '*.authorization',
  '*.Authorization', '*.environment', '*.Env', '*.roleCredentials', 'credentials', 'headers.Authorization',
];

/** JSON lines on stdout, and also in `file` when ECS_LOGFILE names one. */
export function createLogger(level: LogLevel | 'silent', o: { name?: string; file?: string } = {}): Logger {
  const pinoLevel = level === 'crit' ? 'fatal' : level;
  const destination = o.file
    ? pino.multistream([
      { stream: process.stdout, level: pinoLevel === 'silent' ? 'fatal' : pinoLevel },
      { stream: pino.destination({ dest: o.file, mkdir: true, sync: false }), level: pinoLevel === 'silent' ? 'fatal' : pinoLevel },
    ])
    : process.stdout;
  return pino({
    name: o.name ?? 'dockhand-agent',
    level: pinoLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  }, destination);
}
