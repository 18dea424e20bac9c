import { defineConfig } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

// One release server for the whole run, on its own port and its own key namespace, so tests
// never touch data of a running dev site even when they share a Redis.
const port = Number(process.env.RBAY_E2E_PORT ?? 3100);
const root = path.resolve(__dirname, '..');
export const baseURL = `http://127.0.0.1:${port}`;
/** The second instance. */
export const secondURL = `http://127.0.0.1:${port + 1}`;
// One namespace per run, shared with global-setup.ts (which seeds demo data into it).
process.env.RBAY_E2E_PREFIX ??= `e2e:${randomBytes(4).toString('hex')}:`;
process.env.REDIS_URL ??= 'redis://127.0.0.1:6381';

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  // Two app instances on one Redis: live updates must cross from one to the other.
  webServer: [port, port + 1].map((p) => ({
    command: path.join(root, 'target/release/rbay'),
    url: `http://127.0.0.1:${p}/healthz`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
    env: {
      RBAY_ADDR: `127.0.0.1:${p}`,
      LEPTOS_SITE_ROOT: path.join(root, 'target/site'),
      REDIS_URL: process.env.REDIS_URL!,
      RBAY_KEY_PREFIX: process.env.RBAY_E2E_PREFIX!,
      RUST_LOG: 'warn',
      // Every test signs in from 127.0.0.1: keep the per-IP limit out of the way, and the
      // per-username limit low enough to trip on purpose.
      RBAY_AUTH_IP_LIMIT: '10000/60',
      RBAY_AUTH_USER_LIMIT: '5/60',
    },
  })),
});
