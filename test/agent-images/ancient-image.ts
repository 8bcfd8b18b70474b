// Loads a tiny image whose config says it was built in 2001, through `docker load` of an archive
// written here (a minimal ustar writer: no tar package is a dependency). Untracked-image cleanup
// deletes images by their build age; a test that sets NON_ECS_IMAGE_MINIMUM_CLEANUP_AGE to years
// can then only ever select these images, never another image on a shared Docker host.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { docker } from '../e2e/local-harness.ts';
import { followOrThrow } from './registry-fixture.ts';

export const ANCIENT_CREATED = '2001-01-01T00:00:00Z';

function header(name: string, size: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number): void => { h.write(s.slice(0, len), off, 'utf8'); };
  const octal = (n: number, len: number): string => `${n.toString(8).padStart(len - 1, '0')}\0`;
  put(name, 0, 100);
  put(octal(type === '5' ? 0o755 : 0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(978_307_200, 12), 136, 12); // 2001-01-01
  h.fill(' ', 148, 156); // checksum field counts as spaces while summing
  put(type, 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

function tar(entries: Array<{ name: string; data?: Buffer }>): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (!e.data) { parts.push(header(e.name, 0, '5')); continue; }
    parts.push(header(e.name, e.data.length, '0'), e.data, Buffer.alloc((512 - (e.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Loads `name` (repo:tag) with one layer holding `payloadBytes` bytes; returns its image id. */
export async function loadAncientImage(name: string, payloadBytes: number): Promise<string> {
  const layer = tar([{ name: 'payload', data: Buffer.alloc(payloadBytes, name) }]);
  const config = Buffer.from(JSON.stringify({
    architecture: process.arch === 'arm64' ? 'arm64' : 'amd64', os: 'linux', created: ANCIENT_CREATED,
    config: { Cmd: ['/payload'] }, rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(layer)}`] },
  }));
  const configFile = `${sha256(config)}.json`;
  const layerDir = sha256(layer);
  const manifest = Buffer.from(JSON.stringify([{ Config: configFile, RepoTags: [name], Layers: [`${layerDir}/layer.tar`] }]));
  const archive = tar([
    { name: 'manifest.json', data: manifest }, { name: configFile, data: config },
    { name: `${layerDir}/` }, { name: `${layerDir}/layer.tar`, data: layer },
  ]);
  await followOrThrow(await docker.loadImage(Readable.from([archive]), { quiet: true }) as unknown as NodeJS.ReadableStream);
  const info = await docker.getImage(name).inspect();
  if (!info.Created.startsWith('2001-')) throw new Error(`loaded ${name} but it says it was created ${info.Created}`);
  return info.Id;
}
