import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

/** Debian's chromium (scripts/test-deps.sh installs it); playwright-core downloads no browser. */
export const CHROMIUM = '/usr/bin/chromium';

export interface WatchedPage {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors, uncaught exceptions and CSP violations since the last call, then forgets them. */
  takeProblems(): string[];
  close(): Promise<void>;
}

// The browser logs every 4xx/5xx answer as a console error; the UI shows server errors on purpose
// (a wrong password, an empty LIST), so those are expected. Anything else is a problem.
const EXPECTED_NETWORK_ERROR = /^Failed to load resource: the server responded with a status of 4\d\d/;

/** Headless Chromium with one page whose console, errors and CSP violations are recorded. */
export async function openWatchedPage(options: { viewport?: { width: number; height: number } } = {}): Promise<WatchedPage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const context = await browser.newContext({ acceptDownloads: true, viewport: options.viewport ?? { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      const text = message.text();
      if (/Content Security Policy/i.test(text)) problems.push(`CSP: ${text}`);
      else if (message.type() === 'error' && !EXPECTED_NETWORK_ERROR.test(text)) problems.push(`console: ${text}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // Injected by the browser, not by the page, so the CSP does not apply to it; it reports
    // violations even where Chromium would not log them.
    await context.exposeFunction('__reportCspViolation', (text: string) => problems.push(`CSP: ${text}`));
    await context.addInitScript({
      content: "document.addEventListener('securitypolicyviolation', (e) => window.__reportCspViolation(e.violatedDirective + ' blocked ' + e.blockedURI));",
    });
    return {
      browser,
      context,
      page,
      takeProblems: () => problems.splice(0),
      close: () => browser.close(),
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
