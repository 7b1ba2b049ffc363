// The ops console in browser tests: the console built fresh, the admin key's requests, and staff members signed in at
// their own desk (own chromium profile, own passkey) from an enrolment link.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { launchWithAuthenticator, type AuthenticatorBrowser } from './browser.ts';
import { adminKey } from './application.ts';
import type { Application } from '../src/app.ts';

export const consoleArtifacts = join(import.meta.dirname, '..', 'test-artifacts', 'console');

/** Built here as well as by `npm run build:web`, so a test never drives a stale console; makes the artifacts folder. */
export async function buildConsole(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(import.meta.dirname, '..', 'web', 'console', 'vite.config.ts'), logLevel: 'warn' });
  await mkdir(consoleArtifacts, { recursive: true });
}

/** Requests with the admin key, in-process. */
export function adminRequests(app: () => Application) {
  return (method: 'GET' | 'POST', url: string, body?: unknown) =>
    app().server.inject({
      method,
      url,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
}

/** A fresh chromium profile with a passkey authenticator, at the 1440 px the screenshots are taken at. */
export async function openDeskBrowser(profilePrefix: string): Promise<AuthenticatorBrowser> {
  const browser = await launchWithAuthenticator(profilePrefix);
  await browser.page.setViewportSize({ width: 1440, height: 900 });
  return browser;
}

/** Creates a staff member with the admin key and answers their one-time enrolment link. */
export async function hireStaff(app: Application, name: string, role: 'analyst' | 'lead' | 'admin'): Promise<string> {
  const created = await adminRequests(() => app)('POST', '/v1/admin/staff', { name, role });
  if (created.statusCode !== 201) throw new Error(`staff ${name} not created: ${created.body}`);
  return created.json().enrolment_url as string;
}

/** A staff member at their own desk: hired, their passkey created from the enrolment link, signed in to the console. */
export async function openStaffDesk(
  app: Application,
  name: string,
  role: 'analyst' | 'lead' | 'admin',
): Promise<AuthenticatorBrowser> {
  const enrolmentUrl = await hireStaff(app, name, role);
  const desk = await openDeskBrowser(`rearguard-console-${name.toLowerCase()}-`);
  await desk.page.goto(enrolmentUrl);
  await desk.page.getByRole('button', { name: 'Create passkey' }).click();
  await desk.page.getByText(`${name} (${role})`).waitFor();
  return desk;
}
