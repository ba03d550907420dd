import test from 'ava';
import type { ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/free-port.ts';

// The container image (Dockerfile, scripts/image/), built and run with real podman: the server as
// the operator's pods run it (user 100:1000, read-only root filesystem), the image's config, and
// the operator's command line. The build goes through scripts/image/build.sh, so a cold machine
// also makes the debootstrap base; podman's layer cache makes later runs a quick check.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string }).version;
const IMAGE = `localhost/sealbox:${VERSION}`;
const LOCK = JSON.parse(readFileSync(`${ROOT}/package-lock.json`, 'utf8')) as { packages: Record<string, { version?: string }> };
const NODE_VERSION = LOCK.packages['node_modules/node']?.version;
const BUILD_TIMEOUT_MS = 30 * 60_000;
const PODMAN_TIMEOUT_MS = 60_000;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, never longer than timeoutMs (then SIGKILL and code null). */
function run(command: string, args: readonly string[], timeoutMs: number): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr: error !== null && code === null ? `${stderr}\n${error.message}` : stderr });
    });
  });
}

const podman = (...args: string[]) => run('podman', args, PODMAN_TIMEOUT_MS);

// Every container the tests start, so that none outlives them whatever fails.
const containers = new Set<string>();

async function removeContainer(name: string): Promise<void> {
  // -v: the anonymous volume podman makes for the image's VOLUME goes too.
  await podman('rm', '--force', '--volumes', '--time', '0', '--ignore', name);
  containers.delete(name);
}

function containerName(t: ExecutionContext): string {
  const name = `sealbox-image-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  containers.add(name);
  t.teardown(() => removeContainer(name));
  return name;
}

/** podman run -d; the container is removed when the test ends. */
async function startContainer(t: ExecutionContext, runArgs: readonly string[], command: readonly string[]): Promise<string> {
  const name = containerName(t);
  const started = await podman('run', '--detach', '--name', name, ...runArgs, IMAGE, ...command);
  if (started.code !== 0) throw new Error(`podman run failed (${started.code}): ${started.stderr}`);
  return name;
}

async function logsOf(name: string): Promise<string> {
  const logs = await podman('logs', name);
  return `${logs.stdout}${logs.stderr}`;
}

/**
 * Polls sys/health until it answers `ready`: 200 for a dev server, which listens a moment before
 * it has initialized and unsealed itself (501, then 503); 501 for one that waits for its init.
 * Fails at once if the container has exited.
 */
async function waitForHealth(name: string, port: number, ready = 200): Promise<{ status: number; body: Record<string, unknown> }> {
  let last = 'no answer';
  for (let attempt = 0; attempt < 240; attempt++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/v1/sys/health`, { signal: AbortSignal.timeout(5_000) });
      const body = (await response.json()) as Record<string, unknown>;
      if (response.status === ready) return { status: response.status, body };
      last = `${response.status} ${JSON.stringify(body)}`;
    } catch (error) {
      last = String(error);
    }
    const state = await podman('container', 'inspect', '--format', '{{.State.Status}}', name);
    if (state.stdout.trim() !== 'running') throw new Error(`container ${state.stdout.trim() || 'gone'} before the server was ready (${last}):\n${await logsOf(name)}`);
    await sleep(250);
  }
  throw new Error(`the server in the container did not become ready (${last}):\n${await logsOf(name)}`);
}

/** The dev server's root token, from its banner (a throwaway token of an in-memory server). */
async function rootToken(name: string): Promise<string> {
  const token = /^Root Token: (\S+)$/m.exec(await logsOf(name))?.[1];
  if (token === undefined) throw new Error('no root token in the dev server banner');
  return token;
}

test.before(async (t) => {
  t.timeout(BUILD_TIMEOUT_MS);
  const started = performance.now();
  const built = await run('bash', ['scripts/image/build.sh'], BUILD_TIMEOUT_MS);
  if (built.code !== 0) throw new Error(`scripts/image/build.sh failed (${built.code}):\n${built.stderr.slice(-4000)}`);
  t.is(built.stdout.trim().split('\n').at(-1), IMAGE);
  const size = await podman('image', 'inspect', '--format', '{{.Size}}', IMAGE);
  t.log(`image ${IMAGE} built in ${((performance.now() - started) / 1000).toFixed(1)} s, ${(Number(size.stdout.trim()) / 1e6).toFixed(0)} MB`);
});

test.after.always(async () => {
  for (const name of [...containers]) await removeContainer(name);
});

test('server -dev as 100:1000 on a read-only root answers sys/health over HTTP', async (t) => {
  const port = await freePort();
  const name = await startContainer(t, ['--read-only', '--user', '100:1000', '--network', 'host'], ['server', '-dev', '-dev-listen-address', `127.0.0.1:${port}`]);
  const health = await waitForHealth(name, port);
  t.is(health.body['initialized'], true);
  t.is(health.body['sealed'], false);
  t.is(health.body['standby'], false);
  // The server of this checkout, not some other image's.
  t.true(String(health.body['version']).endsWith(`+sealbox.${VERSION}`), String(health.body['version']));
  // The web UI built into the image (dev mode turns ui on), under its CSP.
  const ui = await fetch(`http://127.0.0.1:${port}/ui/`);
  t.is(ui.status, 200);
  t.true(ui.headers.get('content-security-policy')?.includes("script-src 'self'"));
  const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(await ui.text())?.[1];
  t.is((await fetch(`http://127.0.0.1:${port}${script ?? '/ui/assets/missing.js'}`)).status, 200);
});

test('the server needs nothing writable: no tmpfs, no volume, no capabilities', async (t) => {
  const port = await freePort();
  // As a restricted Kubernetes pod has it: --read-only-tmpfs=false leaves /tmp, /run and /var/tmp
  // read-only too, and --image-volume=ignore mounts nothing on the image's VOLUME. No --user: the
  // image's own user.
  const locked = ['--read-only', '--read-only-tmpfs=false', '--image-volume=ignore', '--cap-drop=ALL', '--security-opt=no-new-privileges', '--network', 'host'];
  const name = await startContainer(t, locked, ['server', '-dev', '-dev-listen-address', `127.0.0.1:${port}`]);
  await waitForHealth(name, port);

  const token = await rootToken(name);
  const url = `http://127.0.0.1:${port}/v1/secret/data/image-test`;
  const written = await fetch(url, { method: 'POST', headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' }, body: JSON.stringify({ data: { colour: 'teal' } }) });
  t.is(written.status, 200);
  const read = await fetch(url, { headers: { 'X-Vault-Token': token } });
  t.is(read.status, 200);
  t.deepEqual(((await read.json()) as { data: { data: unknown } }).data.data, { colour: 'teal' });

  // The container really has no writable place: a write anywhere would be listed.
  const probe = await podman('exec', name, 'sh', '-c', 'for d in / /tmp /var/tmp /run /sealbox /opt/sealbox "$HOME"; do touch "$d/.probe" 2>/dev/null && echo "$d"; done; id -u');
  t.is(probe.code, 0, probe.stderr);
  t.is(probe.stdout.trim(), '100');
});

test('the default command: server on file storage in the /sealbox volume, reachable through a published port', async (t) => {
  // Published on the host's loopback only: the default config listens on every address of the
  // container, which the embedded default (127.0.0.1) would not let through.
  const port = await freePort();
  const name = await startContainer(t, ['--read-only', '--publish', `127.0.0.1:${port}:8200`], []);
  t.like((await waitForHealth(name, port, 501)).body, { initialized: false });
  const sealStatus = await fetch(`http://127.0.0.1:${port}/v1/sys/seal-status`);
  t.like(await sealStatus.json(), { storage_type: 'file', initialized: false });
  t.is((await fetch(`http://127.0.0.1:${port}/ui/`)).status, 200, 'the web UI is on');
  const data = await podman('exec', name, 'stat', '-c', '%u:%g %a', '/sealbox/data');
  t.is(data.stdout.trim(), '100:1000 700');
});

test('image config: numeric non-root user, OCI labels, entrypoint and command', async (t) => {
  const inspected = await podman('image', 'inspect', IMAGE);
  t.is(inspected.code, 0, inspected.stderr);
  const [image] = JSON.parse(inspected.stdout) as Array<{ Config: Record<string, unknown> }>;
  const config = image?.Config ?? {};
  t.regex(String(config['User']), /^\d+:\d+$/);
  t.is(config['User'], '100:1000');
  t.deepEqual(config['Entrypoint'], ['node', '/opt/sealbox/src/cli/main.ts']);
  t.deepEqual(config['Cmd'], ['server', '-config', '/etc/sealbox/server.hcl']);
  t.is(config['WorkingDir'], '/sealbox');
  t.true(Object.hasOwn((config['ExposedPorts'] ?? {}) as object, '8200/tcp'));
  t.true(Object.hasOwn((config['Volumes'] ?? {}) as object, '/sealbox'));
  const labels = (config['Labels'] ?? {}) as Record<string, string>;
  t.is(labels['org.opencontainers.image.title'], 'sealbox');
  t.is(labels['org.opencontainers.image.licenses'], 'MPL-2.0');
  t.is(labels['org.opencontainers.image.version'], VERSION);
  t.truthy(labels['org.opencontainers.image.description']);

  // What runs inside: the pinned Node on PATH (the operator's pods run `node -e` on this image),
  // as the image's user, with the production dependencies and none of the development ones.
  const name = containerName(t);
  const check = `const fs = require('node:fs');
    const has = (name) => fs.existsSync('node_modules/' + name + '/package.json');
    console.log(JSON.stringify({ node: process.version, uid: process.getuid(), gid: process.getgid(),
      prod: ['koa', '@kubernetes/client-node', 'etcd3', '@cdktf/hcl2json'].filter(has),
      dev: ['ava', 'typescript', 'node', 'fast-check', 'node-vault'].filter(has) }));`;
  const inside = await podman('run', '--rm', '--name', name, '--network', 'none', '--read-only', '--workdir', '/opt/sealbox', '--entrypoint', 'node', IMAGE, '-e', check);
  t.is(inside.code, 0, inside.stderr);
  t.deepEqual(JSON.parse(inside.stdout), {
    node: `v${NODE_VERSION}`,
    uid: 100,
    gid: 1000,
    prod: ['koa', '@kubernetes/client-node', 'etcd3', '@cdktf/hcl2json'],
    dev: [],
  });
});

test('operator: the same image prints the operator usage and its flags without a cluster', async (t) => {
  const oneShot = async (...command: string[]) => podman('run', '--rm', '--name', containerName(t), '--network', 'none', '--read-only', IMAGE, ...command);

  const usage = await oneShot('operator', '-help');
  t.is(usage.code, 0, usage.stderr);
  t.regex(usage.stdout, /^Usage: sealbox operator <subcommand>/);
  t.regex(usage.stdout, /^ {4}run {2,}Runs the Kubernetes operator/m);

  const runUsage = await oneShot('operator', 'run', '-help');
  t.is(runUsage.code, 0, runUsage.stderr);
  t.regex(runUsage.stdout, /^Usage: sealbox operator \[run\] \[options\]/);
  t.regex(runUsage.stdout, /-kubeconfig FILE/);

  const unknown = await oneShot('operator', 'no-such-subcommand');
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /^Usage: sealbox operator/);
});
