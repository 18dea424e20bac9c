import { defineConfig } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

/** A port p such that p … p + n - 1 are all free right now (asked of the OS, synchronously).
 * Chosen in 20000–31999, below Linux's ephemeral range (`ip_local_port_range`: 32768 and up): a
 * port the OS hands out for `bind(0)` is one it may also give an outgoing connection, and a
 * server's Redis clients connecting to the cluster took one between this probe and the
 * server's own bind once (CI, 2026-12-07). */
function freePorts(n: number): string {
  const probe = `
import random, socket
for _ in range(200):
    p = random.randrange(20000, 32000 - ${n})
    held = []
    try:
        for q in range(p, p + ${n}):
            s = socket.socket(); held.append(s); s.bind(("127.0.0.1", q))
    except OSError:
        for s in held: s.close()
        continue
    for s in held: s.close()
    print(p); break
`;
  return execFileSync('python3', ['-c', probe]).toString().trim();
}

/** `RBAY_E2E_FLEET=1`: the site as deployed, three instances behind nginx (scripts/fleet.sh).
 * `baseURL` is then nginx, and the next ports are the instances themselves. */
export const fleet = process.env.RBAY_E2E_FLEET === '1';
export const INSTANCES = fleet ? 3 : 2;

// Release servers for the whole run, on their own ports and their own key namespace, so tests
// never touch data of a running dev site even when they share a Redis.
// `RBAY_E2E_PORT` (and the ports after it) if given, else free neighbouring ports, chosen once:
// Playwright's worker processes inherit the environment, so they all see the same ones.
process.env.RBAY_E2E_PORT ??= freePorts(fleet ? INSTANCES + 1 : INSTANCES);
const port = Number(process.env.RBAY_E2E_PORT);
const root = path.resolve(__dirname, '..');
export const baseURL = `http://127.0.0.1:${port}`;
/** Another instance, reached directly (in a fleet: the first instance behind nginx). */
export const secondURL = `http://127.0.0.1:${port + 1}`;
// One namespace per run, shared with global-setup.ts (which seeds demo data into it).
process.env.RBAY_E2E_PREFIX ??= `e2e:${randomBytes(4).toString('hex')}:`;
process.env.REDIS_URL ??= 'redis://127.0.0.1:6381';
// A real SMTP server for the run (scripts/mail_sink.py): every message it gets is a JSON file
// in this run's own folder, which email.spec.ts reads.
// (Not one of the site's ports, which are free too until their servers start.)
while (!process.env.RBAY_E2E_SMTP_PORT) {
  const candidate = Number(freePorts(1));
  if (candidate < port || candidate > port + INSTANCES) process.env.RBAY_E2E_SMTP_PORT = String(candidate);
}
process.env.RBAY_E2E_MAIL_DIR ??= path.join(root, 'target/e2e-mail', process.env.RBAY_E2E_PREFIX!.replace(/[^a-z0-9]/gi, '-'));
const smtpPort = Number(process.env.RBAY_E2E_SMTP_PORT);

const serverEnv = {
  LEPTOS_SITE_ROOT: path.join(root, 'target/site'),
  REDIS_URL: process.env.REDIS_URL!,
  RBAY_KEY_PREFIX: process.env.RBAY_E2E_PREFIX!,
  RUST_LOG: 'warn',
  // Every test signs in from 127.0.0.1: keep the per-IP limit out of the way, and the
  // per-username limit low enough to trip on purpose.
  RBAY_AUTH_IP_LIMIT: '10000/60',
  RBAY_AUTH_USER_LIMIT: '5/60',
  // The moderators of moderation.spec.ts and of a11y.spec.ts's operators' pages, one per width
  // (each run has its own namespace, so the names are free).
  RBAY_ADMINS: 'e2e_moderator, e2e_a11y_ops_1280, e2e_a11y_ops_390',
  // security.spec.ts scrapes an instance's /metrics with it (and finds nginx refusing it).
  RBAY_METRICS_TOKEN: process.env.RBAY_E2E_METRICS_TOKEN ??= `e2e-${randomBytes(12).toString('hex')}`,
  RBAY_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
  // Links in emails lead to the site as users reach it (nginx, in a fleet).
  RBAY_PUBLIC_URL: baseURL,
  // On a deployment with replicas (scripts/test.sh's cluster), a bid waits for one.
  RBAY_REPLICA_ACKS: process.env.RBAY_REPLICA_ACKS ?? '0',
  // orders.spec.ts follows an unpaid win to its cancel: 20 s to pay (reminded at 15 s).
  RBAY_UNPAID_AFTER_SECS: '20',
};

const mailSink = {
  command: `${path.join(root, '.venv/bin/python3')} ${path.join(root, 'scripts/mail_sink.py')} ${smtpPort} ${process.env.RBAY_E2E_MAIL_DIR}`,
  port: smtpPort,
  timeout: 30_000,
  reuseExistingServer: false,
  stdout: 'pipe' as const,
  stderr: 'pipe' as const,
};

const webServer = fleet
  ? [
      {
        command: `${path.join(root, 'scripts/fleet.sh')} run ${INSTANCES}`,
        url: `${baseURL}/healthz`,
        timeout: 120_000,
        reuseExistingServer: false,
        stdout: 'pipe' as const,
        stderr: 'pipe' as const,
        env: {
          ...serverEnv,
          RBAY_FLEET_PORT: String(port),
          RBAY_FLEET_FIRST_PORT: String(port + 1),
          RBAY_FLEET_DIR: path.join(root, 'target/fleet-e2e'),
        },
      },
    ]
  : // Two app instances on one Redis: live updates must cross from one to the other.
    [port, port + 1].map((p) => ({
      command: path.join(root, 'target/release/rbay'),
      url: `http://127.0.0.1:${p}/healthz`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: 'pipe' as const,
      stderr: 'pipe' as const,
      env: { ...serverEnv, RBAY_ADDR: `127.0.0.1:${p}` },
    }));

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
  webServer: [mailSink, ...webServer],
});
