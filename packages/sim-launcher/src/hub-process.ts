/** Starts the hub as a real process on a free loopback port, with a data folder of its own. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HUB_CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../../apps/hub/src/cli.ts');

export interface HubProcess {
  url: string;
  child: ChildProcess;
  /** Its certificate in PEM, to trust it by pinning (with `--tls`; undefined over plain HTTP). */
  certificate: string | undefined;
  /** Stops it with SIGTERM and removes its data folder. */
  stop(): Promise<void>;
}

/**
 * A hub whose first admin has `adminPassword`; it logs warnings and errors only, to this stderr.
 * `args` are more command-line options, e.g. `--tls`.
 */
export async function spawnHub(adminPassword: string, args: string[] = []): Promise<HubProcess> {
  const data = mkdtempSync(join(tmpdir(), 'riohub-hub-'));
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), HUB_CLI, '--port', '0', '--data', data, ...args], {
    env: { ...process.env, RIOHUB_ADMIN_PASSWORD: adminPassword, RIOHUB_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /riohub listening on (\S+)/.exec(out);
      if (match?.[1]) resolveUrl(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the hub exited with code ${code}`)));
  });
  return {
    url,
    child,
    certificate: url.startsWith('https:') ? readFileSync(join(data, 'cert.pem'), 'utf8') : undefined,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(data, { recursive: true, force: true });
    },
  };
}
