// Prints config/README.md's table from the agent's schema, so the documentation cannot drift
// from what the agent reads: `node scripts/config-table.ts > config/README.md`.
import { configTable } from '../src/agent/config/agent-config.ts';
import { REAL_AGENT_SETTINGS_NOT_HONOURED } from '../src/agent/config/known-settings.ts';

const fmt = (v: unknown): string => {
  if (typeof v === 'number' && v >= 1000 && v % 1000 === 0) {
    const s = v / 1000;
    return s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`;
  }
  return typeof v === 'string' ? (v === '' ? '(empty)' : v) : JSON.stringify(v);
};

const lines = [
  '# Agent configuration',
  '',
  'The agent reads these variables from its environment and from `/etc/ecs/ecs.config` (path: `ECS_AGENT_CONFIG_FILE_PATH`);',
  'the environment wins. Names, value syntax (Go durations like `30s`, `3h`; booleans `true`/`false`; JSON lists) and',
  'defaults are the real Amazon ECS agent\'s. A bad value stops startup with a message naming the variable (exit code 5).',
  '',
  '| name | default | meaning |',
  '|---|---|---|',
  ...configTable().map((r) => `| \`${r.name}\` | \`${fmt(r.default)}\` | ${r.doc} |`),
  '',
  'Dockhand-only settings (no equivalent in the real agent):',
  '',
  '| name | default | meaning |',
  '|---|---|---|',
  '| `DOCKHAND_API_PORT` | `51600` | `dockhand local` / `control-plane`: ECS API port (flag `--api-port` / `--port`) |',
  '| `DOCKHAND_API_HOST` | `127.0.0.1` | `dockhand control-plane`: listen address (flag `--host`) |',
  '| `DOCKHAND_DATA_DIR` | `~/.dockhand` | `dockhand local` / `control-plane`: state directory (flag `--data-dir`); the agent\'s state in `<dir>/agent` (`local`), the control plane\'s in `<dir>/control-plane/control-plane.db` (both; `control-plane --ephemeral` keeps it in memory) |',
  '| `DOCKHAND_ACCOUNT_ID` | `000000000000` | control plane: the account id in ARNs |',
  '| `DOCKHAND_LOGLEVEL` | `info` | control plane log level |',
  '| `DOCKHAND_COMMIT` | `unknown` | agentHash sent to ACS |',
  '',
  'Real-agent settings that Dockhand recognises but does not act on yet (a warning at start names each one set):',
  [...REAL_AGENT_SETTINGS_NOT_HONOURED].sort().map((n) => `\`${n}\``).join(', ') + '.',
  'Any other `ECS_*` name is warned about as unknown.',
  '',
  '`ECS_DATADIR` defaults to `/var/lib/ecs/data`, the host directory that ecs-init mounts as the real agent\'s `/data`.',
  '',
];
process.stdout.write(lines.join('\n'));
