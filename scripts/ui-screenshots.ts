// `npm run ui:screenshots`: the web UI's main screens as PNGs in docs/screenshots/, for the README.
// A throwaway server (in memory, ui = true) and headless Chromium, driven through a short session.
// Needs Debian's chromium (bash scripts/test-deps.sh installs it).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { createLogger } from '../src/lib/logger.ts';
import { devConfig } from '../src/server/config/dev-config.ts';
import { startServer } from '../src/server/main.ts';
import { openWatchedPage } from '../test/helpers/browser.ts';
import { tempDir } from '../test/helpers/server-process.ts';
import { buildUi } from '../test/helpers/ui-build.ts';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

const POLICY_WITH_ERROR = `# Applications read their own secrets.
path "kv/data/app/*" {
  capabilities = ["read", "list"]
}

path "kv/metadata/app/*" {
  capabilities = ["list"
}
`;

async function main(): Promise<void> {
  const dir = await tempDir('sealbox-screenshots-');
  const dist = join(dir.path, 'ui-dist');
  await buildUi(dist);
  const server = await startServer({ ...devConfig('127.0.0.1:0'), ui: true }, createLogger({ level: 'warn' }), {
    uiDistDir: dist,
    // The pictured audit device writes to stdout; this run keeps it out of its own output.
    stdout: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  const browser = await openWatchedPage({ viewport: { width: 1200, height: 760 } });
  try {
    await mkdir(OUT, { recursive: true });
    await session(browser.page, server.listeners[0]!.url);
    const problems = browser.takeProblems();
    if (problems.length > 0) throw new Error(`the browser reported problems:\n${problems.join('\n')}`);
  } finally {
    await browser.close();
    await server.stop();
    await dir.remove();
  }
}

async function shot(page: Page, name: string): Promise<void> {
  // Let focus rings and fonts settle, and take the page as a reader scrolls it.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
  console.log(`docs/screenshots/${name}.png`);
}

async function session(page: Page, url: string): Promise<void> {
  const v1 = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${url}/v1/${path}`, { method, headers: { 'X-Vault-Token': token }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? {} : ((await response.json()) as Record<string, any>);
  };

  await page.goto(`${url}/ui/`);
  await page.getByLabel('Key shares').fill('3');
  await page.getByLabel('Key threshold').fill('2');
  await shot(page, 'status-init');
  await page.getByRole('button', { name: 'Initialize' }).click();
  await page.getByRole('heading', { name: 'Unseal keys and root token' }).waitFor();
  const keys = await page.getByTestId('unseal-key').allInnerTexts();
  const rootToken = await page.getByTestId('root-token').innerText();
  await page.getByRole('button', { name: 'I have saved them: continue' }).click();
  await page.getByLabel('Unseal key share').fill(keys[0]!);
  await page.getByRole('button', { name: 'Unseal', exact: true }).click();
  await page.getByText('1 of 2 keys provided').waitFor();
  await shot(page, 'unseal');
  await page.getByLabel('Unseal key share').fill(keys[1]!);
  await page.getByRole('button', { name: 'Unseal', exact: true }).click();
  await page.getByTestId('seal-state').getByText('Unsealed').waitFor();

  // Some content to show, written over the API.
  await v1('POST', 'sys/mounts/kv', rootToken, { type: 'kv', options: { version: '2' }, description: 'application secrets' });
  await v1('POST', 'kv/data/app/db', rootToken, { data: { username: 'app', password: 'first' } });
  await v1('POST', 'kv/data/app/db', rootToken, { data: { username: 'app', password: 'second' } });
  await v1('POST', 'kv/data/app/db', rootToken, { data: { username: 'app', password: 'correct horse battery staple', host: 'db.internal:5432' } });
  await v1('POST', 'kv/delete/app/db', rootToken, { versions: [2] });
  await v1('POST', 'kv/data/app/api-key', rootToken, { data: { key: 'k-29f1' } });
  await v1('POST', 'kv/data/app/tls/cert', rootToken, { data: { pem: '...' } });
  await v1('POST', 'kv/data/team/notes', rootToken, { data: { text: 'hello' } });
  await v1('POST', 'sys/auth/userpass', rootToken, { type: 'userpass' });
  await v1('PUT', 'sys/audit/file', rootToken, { type: 'file', description: 'local audit log', options: { file_path: 'stdout' } });

  await page.goto(`${url}/ui/login`);
  await page.getByRole('radio', { name: 'Username' }).check();
  await page.locator('#login-username').fill('alice');
  await page.locator('#login-password').fill('not her password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').waitFor();
  await shot(page, 'login-error');
  await page.getByRole('radio', { name: 'Token' }).check();
  await page.locator('#login-token').fill(rootToken);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('ul.tags li').first().waitFor();

  await page.getByRole('link', { name: 'Secrets' }).click();
  await page.getByRole('link', { name: 'kv/' }).click();
  await page.getByRole('link', { name: 'app/' }).click();
  await page.getByRole('link', { name: 'db', exact: true }).waitFor();
  await shot(page, 'secrets-list');
  await page.getByRole('link', { name: 'db', exact: true }).click();
  await page.getByRole('heading', { name: 'Data (version 3)' }).waitFor();
  await page.getByRole('button', { name: 'Show values' }).click();
  await shot(page, 'secret-versions');
  await page.getByRole('link', { name: 'Create new version' }).click();
  await page.getByLabel('Value 2').waitFor();
  await shot(page, 'secret-edit');

  await page.goto(`${url}/ui/policies/new`);
  await page.locator('#policy-name').fill('app-read');
  await page.locator('#policy-text').fill(POLICY_WITH_ERROR);
  await page.getByRole('button', { name: 'Save policy' }).click();
  await page.locator('.gutter .error-line').waitFor();
  await page.locator('#policy-text').blur();
  await shot(page, 'policy-error');

  await page.getByRole('link', { name: 'Audit' }).click();
  await page.locator('tr[data-path="file/"]').waitFor();
  await shot(page, 'audit');
  await page.getByRole('link', { name: 'Mounts' }).click();
  await page.locator('tr[data-path="userpass/"]').waitFor();
  await shot(page, 'mounts');
  await page.getByRole('link', { name: 'Status' }).click();
  await page.getByText(/Key term/).waitFor();
  await page.getByText(/installed/).waitFor();
  await shot(page, 'status-unsealed');
}

await main();
