import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** Seeds demo data into this run's namespace, so pages and screenshots look like a real shop. */
export default function globalSetup() {
  const root = path.resolve(__dirname, '..');
  execFileSync(path.join(root, 'target/release/rbay'), ['seed', '--users', '6', '--items', '16'], {
    env: {
      ...process.env,
      RBAY_KEY_PREFIX: process.env.RBAY_E2E_PREFIX,
      RUST_LOG: 'warn',
    },
    stdio: 'inherit',
  });
}
