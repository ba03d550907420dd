import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEtcd } from '../test/helpers/etcd.ts';
import { tempDir } from '../test/helpers/server-process.ts';
import type { HttpLoadSpec } from './load-http.ts';
import { SECRET_VALUE, startBenchNode } from './sealbox-node.ts';
import type { BenchNode } from './sealbox-node.ts';
import { spawnLoad } from './spawn-load.ts';

/**
 * `npm run bench:profile -- --workload write`: one server under --cpu-prof, one workload at c=64 (or --connections N),
 * over HTTPS with --tls,
 * then the functions with the most CPU time (self and inclusive) from the profile and the main
 * thread's time by layer; --save FILE keeps the .cpuprofile (for Chrome's DevTools or a closer look).
 */
const REQUESTS: Record<string, (node: BenchNode) => Pick<HttpLoadSpec, 'method' | 'path' | 'headers' | 'body' | 'spread'>> = {
  read: (node) => ({ method: 'GET', path: '/v1/secret/data/bench', headers: { 'X-Vault-Token': node.token } }),
  write: (node) => ({ method: 'POST', path: '/v1/secret/data/w-{n}', spread: 1000, headers: { 'X-Vault-Token': node.token }, body: JSON.stringify({ data: { value: SECRET_VALUE } }) }),
  token: (node) => ({ method: 'POST', path: '/v1/auth/token/create', headers: { 'X-Vault-Token': node.rootToken }, body: JSON.stringify({ policies: ['bench'], ttl: '1h' }) }),
  health: () => ({ method: 'GET', path: '/v1/sys/health' }),
};

const { values } = parseArgs({ options: { workload: { type: 'string', default: 'read' }, 'cache-off': { type: 'boolean', default: false }, seconds: { type: 'string', default: '5' }, top: { type: 'string', default: '25' }, save: { type: 'string' }, connections: { type: 'string', default: '64' }, tls: { type: 'boolean', default: false } } });
const request = REQUESTS[values.workload];
if (request === undefined) throw new Error(`--workload is one of ${Object.keys(REQUESTS).join(', ')}`);
const etcd = await startEtcd();
const dir = await tempDir('sealbox-profile-');
const profiles = join(dir.path, 'profiles');
try {
  process.env['NODE_OPTIONS'] = `--cpu-prof --cpu-prof-dir=${profiles}`;
  const node = await startBenchNode({ dir: dir.path, name: 'profiled', storageBlock: `storage "etcd" {\n  address = "${etcd.endpoint}"\n  path = "/profile/"\n}`, disableCache: values['cache-off'], tls: values.tls });
  delete process.env['NODE_OPTIONS'];
  const url = values.tls ? node.tlsUrl : node.url;
  if (url === undefined) throw new Error('the node has no TLS listener');
  const result = await spawnLoad({ kind: 'http', url, ...request(node), connections: Number(values.connections), warmupSeconds: 1, seconds: Number(values.seconds), pids: { server: node.pid, etcd: etcd.pid } });
  console.log(JSON.stringify(result));
  await node.server.stop();
  const [file] = await readdir(profiles);
  if (file === undefined) throw new Error('the server wrote no profile');
  const text = await readFile(join(profiles, file), 'utf8');
  if (values.save !== undefined) await writeFile(values.save, text);
  const profile = JSON.parse(text) as CpuProfile;
  const tree = callTree(profile);
  printTop(profile, tree, Number(values.top));
  printLayers(profile, tree, result.cpuPerRequest['server'] ?? 0);
} finally {
  await etcd.stop();
  await dir.remove();
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

type Frame = CpuProfile['nodes'][number]['callFrame'];

/** The profile's nodes by ID, each with its parent: a sample's stack is read from its leaf up. */
interface CallTree {
  readonly byId: ReadonlyMap<number, CpuProfile['nodes'][number]>;
  readonly parent: ReadonlyMap<number, number>;
}

function callTree(profile: CpuProfile): CallTree {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  return { byId: new Map(profile.nodes.map((node) => [node.id, node])), parent };
}

/** The frames of node `id`'s stack, the leaf first. */
function* stackOf(tree: CallTree, id: number): Generator<Frame> {
  for (let at: number | undefined = id; at !== undefined; at = tree.parent.get(at)) yield tree.byId.get(at)!.callFrame;
}

function printTop(profile: CpuProfile, tree: CallTree, top: number): void {
  const own = new Map<number, number>();
  profile.samples.forEach((sample, index) => own.set(sample, (own.get(sample) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const total = [...own.values()].reduce((sum, micros) => sum + micros, 0);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, micros] of own) {
    const name = label(tree.byId.get(id)!.callFrame);
    self.set(name, (self.get(name) ?? 0) + micros);
    const seen = new Set<string>();
    for (const callFrame of stackOf(tree, id)) {
      const frame = label(callFrame);
      if (!seen.has(frame)) inclusive.set(frame, (inclusive.get(frame) ?? 0) + micros);
      seen.add(frame);
    }
  }
  for (const [title, table] of [['self', self], ['inclusive', inclusive]] as const) {
    console.log(`\n${title} (% of ${(total / 1e6).toFixed(1)} s of samples)`);
    for (const [name, micros] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
}

/**
 * Where the main thread's busy time went, by the project's folder that asked for it: each sample
 * is charged to the nearest frame of our own source (so an HMAC counts for the audit device that
 * made it, a socket write for the HTTP layer), else to the package running it, else to V8.
 * The µs column shares out the server's measured CPU per request by these proportions.
 */
function printLayers(profile: CpuProfile, tree: CallTree, cpuPerRequest: number): void {
  const layers = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((sample, index) => {
    const layer = layerOf(tree, sample);
    if (layer === undefined) return;
    const micros = profile.timeDeltas[index] ?? 0;
    busy += micros;
    layers.set(layer, (layers.get(layer) ?? 0) + micros);
  });
  console.log(`\nby layer (% of ${(busy / 1e6).toFixed(1)} s busy; µs of the server's ${cpuPerRequest.toFixed(0)} µs CPU per request)`);
  // Layers under 1% (start-up's module loading among them: the profile covers the whole process) go together.
  const shown = [...layers].filter(([, micros]) => micros / busy >= 0.01).sort((a, b) => b[1] - a[1]);
  const rest = busy - shown.reduce((sum, [, micros]) => sum + micros, 0);
  for (const [layer, micros] of [...shown, ['the rest', rest] as const]) {
    const share = micros / busy;
    console.log(`${(share * 100).toFixed(1).padStart(5)}%  ${(share * cpuPerRequest).toFixed(1).padStart(6)} µs  ${layer}`);
  }
}

/** The layer a sample is charged to; undefined for idle time. */
function layerOf(tree: CallTree, sample: number): string | undefined {
  const leaf = tree.byId.get(sample)!.callFrame;
  if (leaf.functionName === '(idle)') return undefined;
  if (leaf.url === '' && leaf.functionName.startsWith('(')) return leaf.functionName;
  let library: string | undefined;
  for (const { url } of stackOf(tree, sample)) {
    const own = /\/src\/(?:server\/)?([^/]+)\//.exec(url);
    if (own !== null) return own[1]!;
    library ??= /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  }
  return library ?? 'node (no caller of ours)';
}

function label(frame: Frame): string {
  const file = frame.url.split('/').slice(-2).join('/');
  return `${frame.functionName || '(anonymous)'} ${file}${frame.lineNumber >= 0 ? `:${frame.lineNumber + 1}` : ''}`;
}
