// Loggers for the control plane and `dockhand local` in the same line format as the agent's
// (ISO time, pid, name), so one process's interleaved lines read as one log.
import pino, { type Logger } from 'pino';

export function cliLogger(name: string, level = process.env.DOCKHAND_LOGLEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
