// Debian's chromium driven by playwright-core, with a virtual WebAuthn authenticator: shared by the browser tests.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // The server listens on 127.0.0.1 only; "localhost" is the WebAuthn relying party (an IP address cannot be one).
  '--host-resolver-rules=MAP localhost 127.0.0.1',
];

/** A port nothing listens on now, for a server the browser reaches at http://localhost:port. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** True when chromium is installed; otherwise says, once, which test is skipped and how to install it. */
export function chromiumAvailable(testName: string): boolean {
  const available = existsSync(chromiumPath);
  if (!available) console.warn(`[${testName}] skipped: ${chromiumPath} is not installed (apt-get install chromium)`);
  return available;
}

export interface AuthenticatorBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly cdp: CDPSession;
  close(): Promise<void>;
}

/** A fresh profile with a platform authenticator that has a resident key and verifies the user. */
export async function launchWithAuthenticator(profilePrefix: string): Promise<AuthenticatorBrowser> {
  const profileDirectory = await mkdtemp(join(tmpdir(), profilePrefix));
  const context = await chromium.launchPersistentContext(profileDirectory, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumFlags,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await addVirtualAuthenticator(page);
  return {
    context,
    page,
    cdp,
    async close() {
      await context.close();
      await rm(profileDirectory, { recursive: true, force: true });
    },
  };
}

/** One browser for a test file whose contexts differ (language, screen size): cheaper than a browser each. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumFlags });
}

/** A platform authenticator on this page that has a resident key and verifies the user (WebAuthn over CDP). */
export async function addVirtualAuthenticator(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return cdp;
}
