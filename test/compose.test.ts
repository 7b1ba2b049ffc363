// The documented deployment (compose.yaml) is valid: Docker Compose accepts it where it is installed, and its shape
// (servers behind a load balancer, on PostgreSQL, migrated first) holds everywhere.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const environment = {
  ...process.env,
  POSTGRES_PASSWORD: 'compose-test-password',
  PUBLIC_URL: 'https://pay.example.nl',
  REARGUARD_SECRET: 'compose-test-secret-0123456789abcdef',
  SMTP_URL: 'smtp://mail.example.nl:587',
  SMS_GATEWAY_URL: 'https://sms.example.nl/send',
  LETTER_SERVICE_URL: 'https://letters.example.nl/send',
};

const compose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
const composeMissing = compose.status !== 0 ? (compose.stderr || compose.error?.message || 'no docker').trim() : null;
if (composeMissing)
  console.log(`compose.yaml check by docker skipped: docker compose is not available (${composeMissing})`);

interface ComposeFile {
  services: Record<
    string,
    {
      image: string;
      command?: string[];
      environment?: Record<string, string>;
      deploy?: { replicas?: number };
      depends_on?: Record<string, { condition: string }> | string[];
      volumes?: string[];
    }
  >;
}

describe('compose.yaml', () => {
  it.skipIf(composeMissing !== null)('is accepted by `docker compose config`', () => {
    const output = execFileSync('docker', ['compose', '-f', 'compose.yaml', 'config', '--format', 'json'], {
      env: environment,
      encoding: 'utf8',
    });
    const resolved = JSON.parse(output) as ComposeFile;
    expect(resolved.services.rearguard?.deploy?.replicas).toBeGreaterThan(1);
  });

  it('runs several servers behind one load balancer on PostgreSQL, migrated once first', () => {
    const file = parse(readFileSync('compose.yaml', 'utf8'), { merge: true }) as ComposeFile;
    const { postgres, migrate, rearguard } = file.services;
    const balancer = file.services['load-balancer'];
    expect(postgres?.image).toMatch(/^postgres:15/);
    expect(rearguard?.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(rearguard?.command).toEqual(expect.arrayContaining(['start', '--workers']));
    expect(rearguard?.environment?.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(rearguard?.environment?.HOST).toBe('0.0.0.0');
    // The code is mounted read-only: the state snapshot is written outside it (or every write failed and every
    // start rebuilt), and shared through PostgreSQL for replicas started anew.
    const codeMount = rearguard?.volumes?.find((volume) => volume.split(':')[1] === '/app');
    expect(codeMount).toMatch(/:ro$/);
    const snapshotPath = rearguard?.environment?.STATE_SNAPSHOT_PATH ?? '';
    expect(snapshotPath).toMatch(/^\//);
    expect(snapshotPath.startsWith('/app/')).toBe(false);
    expect(rearguard?.environment?.STATE_SNAPSHOT_SHARED ?? 'on').toBe('on');
    expect(migrate?.command).toContain('migrate');
    expect(rearguard?.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
    // The balancer's configuration file exists and sends traffic to the replicas, checking readiness.
    const mounted = balancer?.volumes?.[0]?.split(':')[0];
    const configuration = readFileSync(mounted!, 'utf8');
    expect(configuration).toMatch(/server-template rearguard \d+ rearguard:8080 check/);
    expect(configuration).toContain('GET /readyz');
  });
});
