/** Starts the hub as a real process on a free loopback port, with a data folder of its own. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appArgs } from './layout';
import { exitedBeforeListening } from './startup-failure';

export interface HubProcess {
  url: string;
  child: ChildProcess;
  /** Its certificate in PEM, to trust it by pinning (with `--tls`; undefined over plain HTTP). */
  certificate: string | undefined;
  /** Its log lines (JSON), when started with `captureLog`; otherwise its stderr is passed on to the test's (`FAST_HASHES_WARNING` left out). */
  log: { level: number; msg: string; [field: string]: unknown }[];
  /** Everything it wrote to stdout so far (the ready lines). */
  stdout(): string;
  /** With `diskMb`: fills the hub's disk to the last byte, and frees it again. */
  fillDisk(): void;
  freeDisk(): void;
  /** The data folder it runs on (settings, certificate, instance id). */
  dataDir: string;
  /** Stops it with SIGTERM (unless it already exited) and removes its data folder, unless it was given one. */
  stop(): Promise<void>;
}

export interface HubProcessOptions {
  /** More command-line options, e.g. `--tls`. */
  args?: string[];
  /** Keep the log (at info level) in `log` instead of passing warnings on to this stderr. */
  captureLog?: boolean;
  /**
   * Give the hub a disk of its own of this size: a tmpfs on its data folder, mounted in a mount
   * namespace of the hub alone (a user namespace maps the caller to root there, so it needs no
   * privilege and mounts nothing on the machine), which `fillDisk` fills from inside.
   */
  diskMb?: number;
  /** Run on this data folder, kept on stop (a restart of a hub killed before); default: a new one, removed on stop. */
  dataDir?: string;
  /** Listen on this port (a restart where the hubs above expect it); default: any free one. */
  port?: number;
  /** Options for Node itself, before the hub's script (e.g. `--import` of a module a test brings). */
  nodeArgs?: string[];
  /** More environment for the hub (e.g. `RIOHUB_METRICS_TOKEN`). */
  env?: Record<string, string>;
}

/**
 * The start of the warning every hub of a test run logs at start (apps/hub/src/server.ts, on the
 * hub's FAST_HASHES_ENV in apps/hub/src/auth/passwords.ts, which the test kit's global setup sets):
 * left out of the stderr passed on, where a run's hundred hubs would each repeat it. This package
 * cannot import the hub; apps/hub/src/auth/passwords.test.ts holds the hub's warning to this text.
 */
export const FAST_HASHES_WARNING = 'RIOHUB_INSECURE_FAST_PASSWORD_HASHES is set: ';

/** A hub whose first admin has `adminPassword`. */
export async function spawnHub(adminPassword: string, options: HubProcessOptions = {}): Promise<HubProcess> {
  const data = options.dataDir ?? mkdtempSync(join(tmpdir(), 'riohub-hub-'));
  const node = [process.execPath, ...appArgs('hub', ['--port', String(options.port ?? 0), '--data', data, ...(options.args ?? [])], options.nodeArgs)];
  const [command, ...args] = options.diskMb
    ? ['unshare', '--mount', '--map-root-user', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o size=${options.diskMb}m tmpfs "$0" && exec "$@"`, data, ...node]
    : node;
  const child = spawn(command as string, args, {
    env: { ...process.env, RIOHUB_ADMIN_PASSWORD: adminPassword, RIOHUB_LOG_LEVEL: options.captureLog ? 'info' : 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: HubProcess['log'] = [];
  let partial = '';
  // Until it listens: what a hub that fails to start said goes in the error a test sees.
  let startLines: string[] | undefined = [];
  // Decoded across chunks: a character split between two is whole in the lines passed on.
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    startLines?.push(...lines);
    for (const line of lines) {
      if (options.captureLog) {
        if (line.startsWith('{')) log.push(JSON.parse(line) as HubProcess['log'][number]);
      } else if (!(line.startsWith('{') && line.includes(FAST_HASHES_WARNING))) {
        process.stderr.write(`${line}\n`);
      }
    }
  });
  // A last line without its newline (a crash's), passed on as it came.
  child.stderr?.on('end', () => {
    if (!options.captureLog && partial !== '') process.stderr.write(partial);
  });
  let out = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /riohub listening on (\S+)/.exec(out);
      if (match?.[1]) resolveUrl(match[1]);
    });
    child.once('close', (code, signal) => reject(exitedBeforeListening('the hub', code, signal, [...(startLines ?? []), partial])));
  });
  startLines = undefined;
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  const inside = (shell: string) => {
    if (!options.diskMb) throw new Error('the hub was started without a disk of its own (diskMb)');
    spawnSync('nsenter', ['--target', String(child.pid), '--mount', '--user', '--preserve-credentials', 'sh', '-c', shell]);
  };
  return {
    url,
    child,
    dataDir: data,
    certificate: url.startsWith('https:') ? readFileSync(join(data, 'cert.pem'), 'utf8') : undefined,
    log,
    stdout: () => out,
    fillDisk: () => inside(`cat /dev/zero > "${data}/filler" 2>/dev/null`),
    freeDisk: () => inside(`rm -f "${data}/filler"`),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      if (options.dataDir === undefined) rmSync(data, { recursive: true, force: true });
    },
  };
}
