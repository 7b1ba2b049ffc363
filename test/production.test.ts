// Production defaults: `rearguard start` without --demo (or NODE_ENV=production) refuses development values.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  developmentPseudonymSecret,
  developmentMasterKeys,
  developmentSecret,
  loadConfig,
  productionProblems,
} from '../src/config.ts';

function config(environment: Record<string, string>) {
  const result = loadConfig(environment);
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.config;
}

const productionEnvironment = {
  REARGUARD_SECRET: 'a-real-secret-of-at-least-thirty-two-characters',
  PSEUDONYM_SECRET: 'another-real-secret-of-at-least-thirty-two-characters',
  MASTER_KEYS: 'prod:YS1wcm9kdWN0aW9uLW1hc3Rlci1rZXktMzItYnl0ZXM=',
  PUBLIC_URL: 'https://pay.example.com',
  NOTIFIER_EMAIL: 'smtp',
  SMTP_URL: 'smtp://mail.example.com:587',
  NOTIFIER_SMS: 'http',
  SMS_GATEWAY_URL: 'https://sms.example.com/send',
  NOTIFIER_LETTER: 'http',
  LETTER_SERVICE_URL: 'https://print.example.com/letters',
};

async function start(args: string[], environment: Record<string, string>) {
  const dataDir = await mkdtemp(join(tmpdir(), 'rearguard-production-'));
  directories.push(dataDir);
  const child = spawn(process.execPath, ['bin/rearguard.mjs', 'start', ...args], {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: '0', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stderr };
}

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

describe('production defaults', () => {
  it('start without --demo refuses the development secret, a local PUBLIC_URL and the outbox notifier', async () => {
    const { code, stderr } = await start([], {});
    expect(code).toBe(2);
    for (const variable of [
      'REARGUARD_SECRET',
      'PSEUDONYM_SECRET',
      'MASTER_KEYS',
      'PUBLIC_URL',
      'NOTIFIER_EMAIL',
      'NOTIFIER_SMS',
      'NOTIFIER_LETTER',
    ]) {
      expect(stderr).toContain(`${variable}:`);
    }
  });

  it('NODE_ENV=production refuses even with --demo, naming only what is wrong', async () => {
    const { code, stderr } = await start(['--demo'], {
      ...productionEnvironment,
      NODE_ENV: 'production',
      PUBLIC_URL: 'http://127.0.0.1:8080',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('PUBLIC_URL: http://127.0.0.1:8080 is local');
    expect(stderr).not.toContain('REARGUARD_SECRET:');
    expect(stderr).not.toContain('NOTIFIER_EMAIL:');
  });

  it('accepts a production configuration and flags each development value', () => {
    expect(productionProblems(config(productionEnvironment))).toEqual([]);
    expect(productionProblems(config({ ...productionEnvironment, REARGUARD_SECRET: developmentSecret }))).toEqual([
      expect.stringMatching(/^REARGUARD_SECRET: /),
    ]);
    expect(
      productionProblems(config({ ...productionEnvironment, PSEUDONYM_SECRET: developmentPseudonymSecret })),
    ).toEqual([expect.stringMatching(/^PSEUDONYM_SECRET: /)]);
    expect(productionProblems(config({ ...productionEnvironment, MASTER_KEYS: developmentMasterKeys }))).toEqual([
      expect.stringMatching(/^MASTER_KEYS: /),
    ]);
    expect(productionProblems(config({ ...productionEnvironment, PERSONAL_DATA_ENCRYPTION: 'off' }))).toEqual([
      expect.stringMatching(/^PERSONAL_DATA_ENCRYPTION: /),
    ]);
    for (const url of ['http://localhost:8080', 'http://localhost.:8080', 'http://127.0.0.2', 'http://[::1]:80']) {
      expect(productionProblems(config({ ...productionEnvironment, PUBLIC_URL: url }))).toEqual([
        expect.stringMatching(/^PUBLIC_URL: /),
      ]);
    }
    expect(productionProblems(config({ ...productionEnvironment, NOTIFIER_LETTER: 'outbox' }))).toEqual([
      expect.stringMatching(/^NOTIFIER_LETTER: /),
    ]);
    expect(loadConfig({ NOTIFIER_LETTER: 'http' })).toMatchObject({
      ok: false,
      errors: ['LETTER_SERVICE_URL: required when NOTIFIER_LETTER=http'],
    });
    expect(productionProblems(config({ ...productionEnvironment, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }))).toEqual([
      expect.stringMatching(/^WEBHOOK_ALLOW_PRIVATE_URLS: /),
    ]);
  });

  it('PUBLIC_URL follows PORT in development', () => {
    expect(config({ PORT: '9191' }).publicUrl).toBe('http://localhost:9191');
    expect(config({ PORT: '9191', PUBLIC_URL: 'https://pay.example.com/' }).publicUrl).toBe('https://pay.example.com');
  });
});
