// The architecture rules of the brief, checked on the source itself: the two sides never import
// each other, the protocol imports neither, Docker and SQLite stay at their edges, and files stay
// small enough to read.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const SRC = resolve(import.meta.dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const files = sourceFiles(SRC).map((path) => ({ path, rel: relative(SRC, path), text: readFileSync(path, 'utf8') }));

function imports(file: { path: string; text: string }): string[] {
  const specs = [...file.text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
  specs.push(...[...file.text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!));
  return specs.map((s) => (s.startsWith('.') ? relative(SRC, resolve(dirname(file.path), s)) : s));
}

describe('architecture', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each([
    ['agent/', 'control-plane/'],
    ['control-plane/', 'agent/'],
    ['protocol/', 'agent/'],
    ['protocol/', 'control-plane/'],
  ])('%s never imports %s', (from, forbidden) => {
    const offenders = files.filter((f) => f.rel.startsWith(from))
      .flatMap((f) => imports(f).filter((i) => i.startsWith(forbidden)).map((i) => `${f.rel} → ${i}`));
    expect(offenders).toEqual([]);
  });

  it('dockerode is imported only under agent/docker/', () => {
    const offenders = files.filter((f) => imports(f).includes('dockerode') && !f.rel.startsWith('agent/docker/')).map((f) => f.rel);
    expect(offenders).toEqual([]);
  });

  it('node:sqlite is imported only by store modules', () => {
    const offenders = files.filter((f) => imports(f).includes('node:sqlite') && !/(^|\/)store\//.test(f.rel)).map((f) => f.rel);
    expect(offenders).toEqual([]);
  });

  it('source files stay at about 300 lines or fewer', () => {
    const long = files.map((f) => ({ rel: f.rel, lines: f.text.split('\n').length })).filter((f) => f.lines > 320);
    expect(long).toEqual([]);
  });

  it('uses erasable TypeScript only (no enum, no namespace)', () => {
    const offenders = files.filter((f) => /^\s*(export\s+)?(const\s+)?enum\s|^\s*(export\s+)?namespace\s/m.test(f.text)).map((f) => f.rel);
    expect(offenders).toEqual([]);
  });
});
