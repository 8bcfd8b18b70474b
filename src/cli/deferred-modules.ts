// dockerode loads, at require time, code the agent never runs: BuildKit sessions
// (dockerode/lib/session.js → @grpc/grpc-js, protobufjs, node:http2) and SSH transport
// (docker-modem/lib/ssh.js → ssh2, which instantiates a WebAssembly poly1305 with 16 MB of memory
// at load). Together ~8 MB of the agent's RSS (measured: README, "Memory"). Each of the two files exports one function, called only for
// `buildImage` with a session or a `ssh://` DOCKER_HOST (neither of which Dockhand uses); this
// loader hook hands dockerode a stand-in that loads the real file on its first call, so the
// behaviour is unchanged and the memory is only spent if that code ever runs.
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Files whose single exported function is loaded on first call instead of at require time. */
const DEFERRED = [/\/node_modules\/dockerode\/lib\/session\.js$/, /\/node_modules\/docker-modem\/lib\/ssh\.js$/];

let registered = false;

/** Source of the stand-in: compiles the real file (same path, so its own requires resolve as
 *  before) the first time the function is called, and forwards every call to it. */
function standIn(path: string): string {
  const p = JSON.stringify(path);
  return `'use strict';
let real;
function load() {
  if (!real) {
    const Module = module.constructor;
    const m = new Module(${p}, module);
    m.filename = ${p};
    m.paths = Module._nodeModulePaths(require('node:path').dirname(${p}));
    m._compile(require('node:fs').readFileSync(${p}, 'utf8'), ${p});
    real = m.exports;
  }
  return real;
}
module.exports = function deferred(...args) { return load().apply(this, args); };
`;
}

/** Registers the hook once per process; modules already loaded are not affected. */
export function deferUnusedDockerodeModules(): void {
  if (registered) return;
  registered = true;
  registerHooks({
    load(url, context, nextLoad) {
      if (url.startsWith('file:') && DEFERRED.some((re) => re.test(url))) {
        return { format: 'commonjs', source: standIn(fileURLToPath(url)), shortCircuit: true };
      }
      return nextLoad(url, context);
    },
  });
}
