import test from 'ava';
import type { ExecutionContext } from 'ava';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { createLogger } from '../../src/lib/logger.ts';
import { loadConfigFile } from '../../src/server/config/load-config.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { startServer } from '../../src/server/main.ts';
import type { WatchedPage } from '../helpers/browser.ts';
import { openWatchedPage } from '../helpers/browser.ts';
import type { TempDir } from '../helpers/server-process.ts';
import { tempDir, writeServerConfig } from '../helpers/server-process.ts';
import { buildUi } from '../helpers/ui-build.ts';

// The web UI end to end: the UI built from the current sources, a real server on file storage
// (not dev mode: init and unseal happen in the browser), Debian's headless Chromium. The tests run
// in order on one page, as one operator's day would: each starts where the previous one ended.

const STEP_TIMEOUT_MS = 180_000;

interface World {
  dir: TempDir;
  server: RunningServer;
  url: string;
  browser: WatchedPage;
  page: Page;
  rootToken: string;
}

let world: World | undefined;

function w(): World {
  if (world === undefined) throw new Error('the before hook did not set up the server and browser');
  return world;
}

test.before(async () => {
  const dir = await tempDir('sealbox-ui-e2e-');
  const dist = join(dir.path, 'ui-dist');
  await buildUi(dist);
  const configPath = await writeServerConfig(dir.path, `storage "file" {\n  path = "${join(dir.path, 'data')}"\n}`, 'ui = true');
  const { config } = await loadConfigFile(configPath);
  const server = await startServer(config, createLogger({ level: 'warn' }), { uiDistDir: dist });
  const browser = await openWatchedPage();
  world = { dir, server, url: server.listeners[0]!.url, browser, page: browser.page, rootToken: '' };
});

test.after.always(async () => {
  await world?.browser.close();
  await world?.server.stop();
  await world?.dir.remove();
});

/** The HTTP API, beside the browser: what the UI did must be what the server holds. */
async function api(method: string, path: string, body?: unknown, token = w().rootToken): Promise<{ status: number; json: Record<string, any> }> {
  const response = await fetch(`${w().url}/v1/${path}`, {
    method,
    headers: token === '' ? {} : { 'X-Vault-Token': token },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, any>) };
}

/** Every test ends clean: no console error, no uncaught exception, no CSP violation. */
function assertNoBrowserProblems(t: ExecutionContext): void {
  t.deepEqual(w().browser.takeProblems(), []);
}

const DESCRIBE_FOCUS = '(() => { const e = document.activeElement; return e ? `${e.tagName.toLowerCase()}#${e.id}:${(e.textContent ?? "").trim()}` : "none"; })()';

/** The focused element as `tag#id:text`. */
async function focusedDescription(page: Page): Promise<string> {
  return page.evaluate(DESCRIBE_FOCUS);
}

/**
 * Focus moves after the page renders; polls (boundedly) until it is where expected, then reports
 * where it is. Not waitForFunction: its string predicates are an eval, which the UI's CSP refuses.
 */
async function focusAfterRender(page: Page, expected: string): Promise<string> {
  let focused = await focusedDescription(page);
  for (let attempt = 0; attempt < 50 && focused !== expected; attempt++) {
    await sleep(100);
    focused = await focusedDescription(page);
  }
  return focused;
}

/** Text as a reader sees it: the server's multi-line messages are shown with their line breaks. */
function words(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Clicks a button that opens a confirmation dialog, then the dialog's confirm button. */
async function confirm(page: Page, opener: string, confirmLabel = opener): Promise<void> {
  await page.getByRole('button', { name: opener, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: opener });
  await dialog.getByRole('button', { name: confirmLabel, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

async function logInWithToken(page: Page, token: string): Promise<void> {
  await page.goto(`${w().url}/ui/login`);
  await page.locator('#login-token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Token' }).waitFor();
}

test.serial('status, init with the keys shown once and downloadable, unseal with progress', async (t) => {
  t.timeout(STEP_TIMEOUT_MS);
  const { page, url } = w();
  const response = await page.goto(`${url}/`);
  t.is(new URL(page.url()).pathname, '/ui/');
  t.is(response?.headers()['content-security-policy']?.includes("script-src 'self'"), true);
  await page.getByText('Not initialized').waitFor();
  t.is(await page.getByTestId('seal-state').innerText(), 'Sealed');

  await page.getByLabel('Key shares').fill('3');
  await page.getByLabel('Key threshold').fill('2');
  await page.getByRole('button', { name: 'Initialize' }).click();
  await page.getByRole('heading', { name: 'Unseal keys and root token' }).waitFor();
  const keys = await page.getByTestId('unseal-key').allInnerTexts();
  t.is(keys.length, 3);
  const rootToken = await page.getByTestId('root-token').innerText();
  t.regex(rootToken, /^hvs\./);
  w().rootToken = rootToken;

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download keys (JSON)' }).click()]);
  t.is(download.suggestedFilename(), 'sealbox-init.json');
  const saved = JSON.parse(await readFile(await download.path(), 'utf8')) as { keys: string[]; keys_base64: string[]; root_token: string };
  t.deepEqual(saved.keys_base64, keys);
  t.is(saved.keys.length, 3);
  t.is(saved.root_token, rootToken);
  // Nothing secret anywhere but the page itself.
  const stored = await page.evaluate('JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), location.href])');
  for (const secret of [rootToken, ...keys]) t.false(String(stored).includes(secret));

  await page.getByRole('button', { name: 'I have saved them: continue' }).click();
  t.is(await page.getByTestId('unseal-key').count(), 0);
  await page.getByRole('heading', { name: 'Unseal', exact: true }).waitFor();
  t.is(await page.getByTestId('unseal-progress').innerText(), '0 of 2 keys provided');
  await page.getByLabel('Unseal key share').fill(saved.keys[0]!);
  await page.getByRole('button', { name: 'Unseal', exact: true }).click();
  await page.getByText('1 of 2 keys provided').waitFor();
  t.is((await api('GET', 'sys/seal-status', undefined, '')).json['progress'], 1);
  await page.getByLabel('Unseal key share').fill(keys[1]!);
  await page.getByRole('button', { name: 'Unseal', exact: true }).click();
  await page.getByTestId('seal-state').getByText('Unsealed').waitFor();
  t.is((await api('GET', 'sys/seal-status', undefined, '')).json['sealed'], false);
  assertNoBrowserProblems(t);
});

test.serial('keyboard only: skip link, navigation, and a token login that shows the server error first', async (t) => {
  t.timeout(STEP_TIMEOUT_MS);
  const { page, url, rootToken } = w();
  await page.goto(`${url}/ui/status`);
  await page.getByTestId('seal-state').waitFor();
  await page.keyboard.press('Tab');
  t.is(await focusedDescription(page), 'a#:Skip to content');
  await page.keyboard.press('Enter');
  t.is(await focusedDescription(page).then((focused) => focused.split(':')[0]), 'main#main');
  // Back out of main: the last control of the header is the login link.
  await page.keyboard.press('Shift+Tab');
  t.is(await focusedDescription(page), 'a#:Log in');
  await page.keyboard.press('Enter');
  t.is(new URL(page.url()).pathname, '/ui/login');
  t.is(await focusAfterRender(page, 'h1#:Log in'), 'h1#:Log in');
  await page.keyboard.press('Tab');
  t.is(await page.evaluate('document.activeElement.getAttribute("value")'), 'token');
  await page.keyboard.press('Tab');
  t.is(await focusedDescription(page), 'input#login-token:');
  await page.keyboard.type('not-a-real-token');
  await page.keyboard.press('Enter');
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const refusal = (await api('GET', 'auth/token/lookup-self', undefined, 'not-a-real-token')).json['errors'] as string[];
  t.is(words(await alert.innerText()), words(refusal.join(' ')));
  t.true((await alert.innerText()).includes('permission denied'));
  t.is(new URL(page.url()).pathname, '/ui/login');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(rootToken);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Token' }).waitFor();
  t.is(await focusAfterRender(page, 'h1#:Token'), 'h1#:Token');
  await page.locator('ul.tags li').first().waitFor();
  t.deepEqual(await page.locator('ul.tags li').allInnerTexts(), ['root']);
  t.is(await page.getByTestId('token-ttl').innerText(), 'never expires');
  // The token is kept for the tab only.
  t.is(await page.evaluate('sessionStorage.getItem("sealbox.token")'), rootToken);
  t.is(await page.evaluate('localStorage.length'), 0);
  // Navigation by keyboard: Tab from the page's heading wraps nowhere; the nav links are reachable backwards.
  let steps = 0;
  while ((await focusedDescription(page)) !== 'a#:Secrets' && steps++ < 20) await page.keyboard.press('Shift+Tab');
  t.is(await focusedDescription(page), 'a#:Secrets');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Secrets' }).waitFor();
  t.is(await focusAfterRender(page, 'h1#:Secrets'), 'h1#:Secrets');
  assertNoBrowserProblems(t);
});

test.serial('KV v2: enable a mount, write with the key/value editor, read back, versions, delete, undelete, destroy', async (t) => {
  t.timeout(STEP_TIMEOUT_MS);
  const { page } = w();
  await page.getByRole('link', { name: 'Mounts' }).click();
  const engines = page.getByRole('form', { name: 'Enable a secrets engine' });
  await engines.getByLabel('Engine').selectOption('kv-v2');
  await engines.getByLabel('Path').fill('kv');
  await engines.getByRole('button', { name: 'Enable engine' }).click();
  await page.locator('tr[data-path="kv/"]').waitFor();
  t.is((await api('GET', 'sys/mounts')).json['data']['kv/']['options']['version'], '2');

  await page.getByRole('link', { name: 'Secrets' }).click();
  await page.getByRole('link', { name: 'kv/' }).click();
  await page.getByText('No secrets here yet.').waitFor();
  await page.getByRole('link', { name: 'Create secret' }).click();
  await page.locator('#secret-path').fill('app/db');
  await page.getByLabel('Key 1').fill('username');
  await page.getByLabel('Value 1').fill('admin');
  await page.getByRole('button', { name: 'Add row' }).click();
  await page.getByLabel('Key 2').fill('password');
  await page.getByLabel('Value 2').fill('s3cret');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { level: 1, name: 'app/db' }).waitFor();
  t.is(await page.getByTestId('value-username').innerText(), '••••••••');
  await page.getByRole('button', { name: 'Show values' }).click();
  t.is(await page.getByTestId('value-username').innerText(), 'admin');
  t.is(await page.getByTestId('value-password').innerText(), 's3cret');
  t.deepEqual((await api('GET', 'kv/data/app/db')).json['data']['data'], { username: 'admin', password: 's3cret' });

  // A folder listing shows it.
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'app' }).click();
  await page.getByRole('link', { name: 'db', exact: true }).click();

  // A second version, written in the JSON editor.
  await page.getByRole('link', { name: 'Create new version' }).click();
  await page.getByRole('radio', { name: 'JSON' }).check();
  const json = JSON.parse(await page.locator('#secret-json').inputValue()) as Record<string, string>;
  t.deepEqual(json, { username: 'admin', password: 's3cret' });
  await page.locator('#secret-json').fill('{\n  "username": "admin",\n  "password": "rotated",\n  "port": 5432\n}');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Data (version 2)' }).waitFor();
  t.deepEqual((await api('GET', 'kv/data/app/db')).json['data']['data'], { username: 'admin', password: 'rotated', port: 5432 });
  t.is(await page.locator('tr[data-version]').count(), 2);

  await confirm(page, 'Delete version 2');
  await page.getByTestId('version-state').getByText('was deleted').waitFor();
  t.not((await api('GET', 'kv/metadata/app/db')).json['data']['versions']['2']['deletion_time'], '');
  t.is((await api('GET', 'kv/data/app/db')).status, 404);

  await page.getByRole('button', { name: 'Undelete version 2' }).click();
  await page.getByRole('button', { name: 'Show values' }).click();
  await page.getByTestId('value-password').getByText('rotated').waitFor();
  t.is((await api('GET', 'kv/data/app/db')).status, 200);

  await page.getByRole('button', { name: 'View version 1' }).click();
  await page.getByRole('heading', { name: 'Data (version 1)' }).waitFor();
  await confirm(page, 'Destroy version 1');
  await page.getByTestId('version-state').getByText('destroyed').waitFor();
  t.is((await api('GET', 'kv/metadata/app/db')).json['data']['versions']['1']['destroyed'], true);

  // Metadata.
  await page.getByLabel('Maximum versions (0: the mount\'s setting)').fill('5');
  await page.getByRole('button', { name: 'Save metadata' }).click();
  await page.getByRole('status').getByText('Saved.').waitFor();
  t.is((await api('GET', 'kv/metadata/app/db')).json['data']['max_versions'], 5);
  assertNoBrowserProblems(t);
});

const BROKEN_POLICY = `# Applications read their own secrets.
path "kv/data/app/*" {
  capabilities = ["read", "list"]
}

path "kv/metadata/app/*" {
  capabilities = ["list"
}
`;

const FIXED_POLICY = BROKEN_POLICY.replace('["list"\n', '["list"]\n');

test.serial('policies: a syntax error is shown at its line; the fixed policy is saved', async (t) => {
  t.timeout(STEP_TIMEOUT_MS);
  const { page } = w();
  await page.getByRole('link', { name: 'Policies' }).click();
  await page.getByRole('link', { name: 'default' }).waitFor();
  await page.getByRole('link', { name: 'Create policy' }).click();
  await page.locator('#policy-name').fill('app-read');
  await page.locator('#policy-text').fill(BROKEN_POLICY);
  await page.getByRole('button', { name: 'Save policy' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const serverError = (await api('PUT', 'sys/policies/acl/other', { policy: BROKEN_POLICY })).json['errors'][0] as string;
  t.is(words(await alert.innerText()), words(serverError));
  t.regex(serverError, /At 8:1:/);
  t.is(await page.locator('.gutter .error-line').innerText(), '8');
  t.is(await page.locator('#policy-text').getAttribute('aria-invalid'), 'true');
  t.true((await page.locator('#policy-text-error').innerText()).startsWith('Line 8: '));
  const selected = await page.locator('#policy-text').evaluate((area: any) => area.value.slice(area.selectionStart, area.selectionEnd) as string);
  t.is(selected, BROKEN_POLICY.split('\n')[7]!);
  t.is((await api('GET', 'sys/policies/acl/app-read')).status, 404);

  await page.locator('#policy-text').fill(FIXED_POLICY);
  await page.getByRole('button', { name: 'Save policy' }).click();
  // A new policy, once saved, is shown at its own address.
  await page.getByRole('heading', { level: 1, name: 'Policy app-read' }).waitFor();
  t.is(new URL(page.url()).pathname, '/ui/policies/app-read');
  t.is(await page.locator('.gutter .error-line').count(), 0);
  t.is((await api('GET', 'sys/policies/acl/app-read')).json['data']['policy'], FIXED_POLICY);

  // Edit it again from the list.
  await page.getByRole('link', { name: 'policies', exact: true }).click();
  await page.getByRole('link', { name: 'app-read' }).click();
  t.is(await page.locator('#policy-text').inputValue(), FIXED_POLICY);
  const edited = `${FIXED_POLICY}\npath "kv/data/shared/*" {\n  capabilities = ["read"]\n}\n`;
  await page.locator('#policy-text').fill(edited);
  await page.getByRole('button', { name: 'Save policy' }).click();
  await page.getByRole('status').getByText('Saved.').waitFor();
  t.is((await api('GET', 'sys/policies/acl/app-read')).json['data']['policy'], edited);
  assertNoBrowserProblems(t);
});

test.serial('userpass and AppRole logins, logout, and the lookup-self panel', async (t) => {
  t.timeout(STEP_TIMEOUT_MS);
  const { page } = w();
  t.is((await api('POST', 'sys/auth/userpass', { type: 'userpass' })).status, 204);
  t.is((await api('POST', 'auth/userpass/users/alice', { password: 'correct horse', token_policies: 'app-read', token_ttl: '1h' })).status, 204);
  t.is((await api('POST', 'sys/auth/approle', { type: 'approle' })).status, 204);
  t.is((await api('POST', 'auth/approle/role/ci', { token_policies: 'app-read', token_ttl: '20m' })).status, 204);
  const roleId = (await api('GET', 'auth/approle/role/ci/role-id')).json['data']['role_id'] as string;
  const secretId = (await api('POST', 'auth/approle/role/ci/secret-id', {})).json['data']['secret_id'] as string;

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor();
  t.is(await page.evaluate('sessionStorage.getItem("sealbox.token")'), null);
  t.is(await page.getByRole('link', { name: 'Secrets' }).count(), 0);

  await page.getByRole('radio', { name: 'Username' }).check();
  await page.locator('#login-username').fill('alice');
  await page.locator('#login-password').fill('wrong');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').getByText('invalid username or password').waitFor();
  await page.locator('#login-password').fill('correct horse');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Token' }).waitFor();
  await page.locator('ul.tags li').first().waitFor();
  t.deepEqual(await page.locator('ul.tags li').allInnerTexts(), ['app-read', 'default']);
  t.regex(await page.getByTestId('token-ttl').innerText(), /^(59m\d+s|1h0m0s)$/);
  t.regex(await page.locator('.facts').innerText(), /Display name\s+\S*alice/);

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('radio', { name: 'AppRole' }).check();
  await page.locator('#login-role-id').fill(roleId);
  await page.locator('#login-secret-id').fill(secretId);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Token' }).waitFor();
  await page.locator('ul.tags li').first().waitFor();
  t.deepEqual(await page.locator('ul.tags li').allInnerTexts(), ['app-read', 'default']);
  t.regex(await page.getByTestId('token-ttl').innerText(), /^(19m\d+s|20m0s)$/);

  // What the policy does not grant is refused with the server's own message.
  await page.getByRole('link', { name: 'Audit' }).click();
  await page.getByRole('alert').getByText('permission denied').waitFor();
  t.not(await page.evaluate('sessionStorage.getItem("sealbox.token")'), null, 'a missing capability keeps the session');

  // A token revoked behind the UI's back ends the session at its next request.
  const approleToken = (await page.evaluate('sessionStorage.getItem("sealbox.token")')) as string;
  t.is((await api('POST', 'auth/token/revoke', { token: approleToken })).status, 204);
  await page.getByRole('link', { name: 'Token' }).click();
  await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor();
  await page.getByRole('alert').getByText('The token is no longer valid (revoked or expired): log in again.').waitFor();
  t.is(await page.evaluate('sessionStorage.getItem("sealbox.token")'), null);
  assertNoBrowserProblems(t);
});

test.serial('audit: enable a file device from the UI, see it listed and writing, disable it', async (t) => {
  t.timeout(STEP_TIMEOUT_MS);
  const { page, rootToken, dir } = w();
  await logInWithToken(page, rootToken);
  await page.getByRole('link', { name: 'Audit' }).click();
  await page.getByText('No audit devices are enabled.').waitFor();
  const logPath = join(dir.path, 'audit.log');
  await page.getByLabel('File path (or stdout)').fill(logPath);
  await page.getByLabel('Description').fill('from the web UI');
  await page.getByRole('button', { name: 'Enable audit device' }).click();
  const row = page.locator('tr[data-path="file/"]');
  await row.waitFor();
  t.true((await row.innerText()).includes(`file_path=${logPath}`));
  t.is((await api('GET', 'sys/audit')).json['data']['file/']['description'], 'from the web UI');
  // The UI's own listing after enabling went through the device.
  let size = 0;
  for (let attempt = 0; attempt < 50 && size === 0; attempt++) {
    size = await stat(logPath).then((info) => info.size, () => 0);
    if (size === 0) await sleep(100);
  }
  t.true(size > 0);

  await confirm(page, 'Disable file/');
  await page.getByText('No audit devices are enabled.').waitFor();
  t.is((await api('GET', 'sys/audit')).json['data']['file/'], undefined);
  assertNoBrowserProblems(t);
});

test.serial('seal from the UI, keyboard in the confirmation dialog; the status says sealed', async (t) => {
  t.timeout(STEP_TIMEOUT_MS);
  const { page } = w();
  await page.getByRole('link', { name: 'Status' }).click();
  await page.getByTestId('seal-state').getByText('Unsealed').waitFor();
  t.regex(await page.locator('.facts').innerText(), /Key term\s+1 \(installed/);
  const seal = page.getByRole('button', { name: 'Seal', exact: true });
  await seal.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Seal' });
  await dialog.waitFor();
  t.is(await focusAfterRender(page, 'button#:Cancel'), 'button#:Cancel');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  t.is(await focusAfterRender(page, 'button#:Seal'), 'button#:Seal');
  t.is((await api('GET', 'sys/seal-status', undefined, '')).json['sealed'], false);

  await page.keyboard.press('Enter');
  await dialog.waitFor();
  await page.keyboard.press('Tab');
  t.is(await focusedDescription(page), 'button#:Seal');
  await page.keyboard.press('Enter');
  await page.getByTestId('seal-state').getByText('Sealed').waitFor();
  await page.getByRole('heading', { name: 'Unseal', exact: true }).waitFor();
  t.is((await api('GET', 'sys/seal-status', undefined, '')).json['sealed'], true);
  assertNoBrowserProblems(t);
});
