// A private dockerd for tests that must stop or restart "the Docker engine": the host's own dockerd
// is shared (other tests and people use it), so it is never touched. This one has its own socket,
// data root, exec root (hence its own containerd) and pidfile under /tmp/dockhand-dind-<id>, and no
// network of its own (`--bridge=none`, no iptables), and it runs in a network namespace of its own
// (`unshare --net`): dockerd with --bridge=none DELETES any link named docker0 it finds at start
// (removeDefaultBridgeInterface), which, in the host's namespace, is the main engine's bridge.
// Its tasks therefore use networkMode none (or host, which is that private namespace).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { docker as mainDocker, sleep } from '../e2e/local-harness.ts';

export const DOCKERD = '/usr/sbin/dockerd';
const UNSHARE = '/usr/bin/unshare';
const DOCKER0_INDEX = '/sys/class/net/docker0/ifindex';

/** Why a second dockerd cannot run here (the tests then fail with this reason), or undefined when it can. */
export function secondDockerdUnavailable(): string | undefined {
  try { accessSync(DOCKERD, constants.X_OK); } catch { return `${DOCKERD} is not installed`; }
  try { accessSync(UNSHARE, constants.X_OK); } catch { return `${UNSHARE} (util-linux) is not installed`; }
  if (process.getuid?.() !== 0) return 'a second dockerd needs root';
  return undefined;
}

export interface SecondDockerd {
  /** `unix:///tmp/dockhand-dind-<id>/docker.sock`: the agent's DOCKER_HOST. */
  host: string;
  dir: string;
  /** A client of this dockerd (not the host's). */
  docker: Docker;
  running(): boolean;
  /** SIGTERM and wait for the exit: without live-restore dockerd stops every container first. */
  stop(): Promise<void>;
  /** Starts again on the same dirs (the containers it knew are still there, exited or restored). */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** kill -9, then start again: containers outlive the daemon, and the new one (without
   *  live-restore) kills them while restoring, before its API or event stream is up. */
  crashRestart(): Promise<void>;
  /** Copies an image from the host's engine (`docker save | docker load`): no registry needed. */
  loadImage(tag: string): Promise<void>;
  log(): string;
  /** True when the host's docker0 is the very link it was before this dockerd first started. */
  hostBridgeIntact(): boolean;
  /** Removes its containers, stops it, kills anything it left behind, unmounts and deletes its dirs. */
  cleanup(): Promise<void>;
}

export async function startSecondDockerd(o: { liveRestore?: boolean } = {}): Promise<SecondDockerd> {
  // Short path: containerd's sockets live under the exec root and unix paths are limited to 108 bytes.
  const dir = `/tmp/dockhand-dind-${randomBytes(4).toString('hex')}`;
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'docker.sock');
  const logFile = join(dir, 'dockerd.log');
  const args = [
    '-H', `unix://${socket}`, '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'docker.pid'),
    '--bridge=none', '--iptables=false', '--ip6tables=false', '--ip-masq=false',
    ...(o.liveRestore ? ['--live-restore'] : []),
  ];
  const docker = new Docker({ socketPath: socket });
  let proc: ChildProcess | undefined;
  const docker0 = readOptional(DOCKER0_INDEX);

  const exited = (p: ChildProcess): Promise<void> =>
    new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));

  const start = async (): Promise<void> => {
    if (proc) return;
    const fd = openSync(logFile, 'a');
    // unshare execs dockerd (no --fork): the child's pid is dockerd's own, so SIGTERM reaches it.
    const p = spawn(UNSHARE, ['--net', DOCKERD, ...args], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    proc = p;
    p.once('exit', () => { if (proc === p) proc = undefined; });
    const end = Date.now() + 60_000;
    for (;;) {
      try { await docker.ping(); return; } catch { /* not listening yet */ }
      if (!proc) throw new Error(`the second dockerd exited while starting; log ${logFile}:\n${tail()}`);
      if (Date.now() > end) throw new Error(`the second dockerd did not answer within 60 s; log ${logFile}:\n${tail()}`);
      await sleep(100);
    }
  };

  const stop = async (): Promise<void> => {
    const p = proc;
    if (!p) return;
    p.kill('SIGTERM');
    // dockerd gives each container its stop timeout (10 s by default) before SIGKILL.
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    await exited(p);
    clearTimeout(timer);
    proc = undefined;
  };

  const tail = (): string => { try { return readFileSync(logFile, 'utf8').slice(-3000); } catch { return ''; } };

  await start();
  return {
    host: `unix://${socket}`, dir, docker,
    running: () => proc !== undefined,
    start, stop,
    async restart() { await stop(); await start(); },
    async crashRestart() {
      const p = proc;
      const containerd = Number(readOptional(join(dir, 'exec', 'containerd', 'containerd.pid')));
      if (p) { p.kill('SIGKILL'); await exited(p); proc = undefined; }
      // Its containerd dies with it (parent-death signal), but not at once: a new dockerd started
      // over a live one times out waiting for its own.
      for (let i = 0; containerd > 0 && alive(containerd) && i < 100; i++) await sleep(100);
      rmSync(join(dir, 'docker.pid'), { force: true }); // a killed dockerd leaves it, and refuses to start over it
      await start();
    },
    async loadImage(tag) {
      const tar = (await mainDocker.getImage(tag).get()) as NodeJS.ReadableStream;
      const out = (await docker.loadImage(tar)) as NodeJS.ReadableStream;
      await new Promise<void>((resolve, reject) => docker.modem.followProgress(out, (err: Error | null) => (err ? reject(err) : resolve())));
    },
    log: tail,
    hostBridgeIntact: () => readOptional(DOCKER0_INDEX) === docker0,
    async cleanup() {
      if (proc) {
        try {
          const all = await docker.listContainers({ all: true });
          await Promise.all(all.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
        } catch { /* already unreachable: the process sweep below still applies */ }
        await stop();
      }
      // Its containerd and (with live-restore) container shims outlive a dockerd that died badly:
      // end those, found by our private dir on their command line, each by its own pid.
      for (const pid of processesMentioning(dir)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      // dockerd bind-mounts its data root (and overlays below it); unmount before deleting.
      for (const m of mountsUnder(dir)) { try { execFileSync('umount', ['-l', m]); } catch { /* already gone */ } }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

function readOptional(file: string): string | undefined {
  try { return readFileSync(file, 'utf8').trim(); } catch { return undefined; }
}

function processesMentioning(text: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) out.push(Number(entry));
    } catch { /* exited meanwhile */ }
  }
  return out;
}

/** Mount points at or below `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mounts', 'utf8').split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}
