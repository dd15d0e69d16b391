/**
 * A real Mosquitto broker for a test (Debian's, installed by scripts/ensure-mosquitto.sh): one per
 * test, on a free loopback port, with a generated configuration, stopped by its PID. No
 * persistence, so a restart forgets every retained message, as a broker whose store was lost does.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepts, freePort } from './ports';

export const MOSQUITTO = process.env['MOSQUITTO_PATH'] ?? '/usr/sbin/mosquitto';

export interface MosquittoOptions {
  /** Users and their passwords: anonymous clients are then refused. */
  users?: Record<string, string>;
  /** Serve MQTT over TLS with this certificate and key (PEM): the URL is then `mqtts://`. */
  tls?: { cert: string; key: string };
  /**
   * Also listen with TLS on a second port (`tlsPort`), with this certificate and key (PEM), for a
   * bridge from another site, while the clients of this one use the plain listener.
   */
  tlsListener?: { cert: string; key: string };
  /**
   * Bridge this broker to another: it connects to `address` (`127.0.0.1:<port>`) and takes its
   * topics in, each under `prefix` (`topic # in 0 <prefix> ""`), as an MQTT bridge between sites does.
   * `ca` (PEM): connect over TLS, trusting this certificate, the other's name checked.
   */
  bridge?: { address: string; prefix: string; ca?: string };
  /** `set_tcp_nodelay true`: each message sent as it comes rather than held by Nagle's algorithm (Mosquitto's default), for latency. */
  noDelay?: boolean;
}

export interface MosquittoBroker {
  /** `mqtt://127.0.0.1:<port>` (or `mqtts://`). */
  url: string;
  port: number;
  /** The port of the TLS listener for bridges (`tlsListener`). */
  tlsPort?: number;
  /** The broker's process id while it runs (benches count its CPU). */
  pid(): number | undefined;
  /** Everything it logged so far. */
  log(): string;
  /** Stops it (SIGTERM to its PID) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with nothing retained. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoBroker> {
  if (!existsSync(MOSQUITTO)) throw new Error(`Mosquitto is not installed at ${MOSQUITTO}: run scripts/ensure-mosquitto.sh`);
  const folder = mkdtempSync(join(tmpdir(), 'riohub-test-mosquitto-'));
  const port = await freePort();
  // As root, Mosquitto would become the user `mosquitto`, who cannot read this test's folder.
  const lines = [...(process.getuid?.() === 0 ? ['user root'] : []), `listener ${port} 127.0.0.1`, 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice'];
  if (options.noDelay) lines.push('set_tcp_nodelay true');
  if (options.users) {
    const passwords = join(folder, 'passwords');
    writeFileSync(passwords, '', { mode: 0o600 });
    for (const [user, password] of Object.entries(options.users)) {
      const made = spawnSync('mosquitto_passwd', ['-b', passwords, user, password], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
    }
    lines.push('allow_anonymous false', `password_file ${passwords}`);
  } else {
    lines.push('allow_anonymous true');
  }
  /** A listener's certificate and key written to the folder, as its `certfile` and `keyfile` lines. */
  const certificateLines = (name: string, { cert, key }: { cert: string; key: string }) => {
    writeFileSync(join(folder, `${name}-cert.pem`), cert);
    writeFileSync(join(folder, `${name}-key.pem`), key, { mode: 0o600 });
    return [`certfile ${join(folder, `${name}-cert.pem`)}`, `keyfile ${join(folder, `${name}-key.pem`)}`];
  };
  if (options.tls) lines.push(...certificateLines('listener', options.tls));
  // Options after a `listener` line are that listener's: the second one is the bridges' TLS port.
  const tlsPort = options.tlsListener ? await freePort() : undefined;
  if (options.tlsListener) lines.push(`listener ${tlsPort} 127.0.0.1`, ...certificateLines('bridge-listener', options.tlsListener));
  if (options.bridge) {
    lines.push('connection upstream', `address ${options.bridge.address}`, `topic # in 0 ${options.bridge.prefix} ""`, 'cleansession true');
    if (options.bridge.ca) {
      writeFileSync(join(folder, 'bridge-ca.pem'), options.bridge.ca);
      lines.push(`bridge_cafile ${join(folder, 'bridge-ca.pem')}`);
    }
  }
  const config = join(folder, 'mosquitto.conf');
  writeFileSync(config, `${lines.join('\n')}\n`);

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  const start = async () => {
    const started = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let gone = false;
    exited = new Promise((resolve) => started.once('exit', () => ((gone = true), resolve())));
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port)) || (tlsPort !== undefined && !(await accepts(tlsPort)))) {
      if (gone) throw new Error(`mosquitto exited before listening:\n${output}`);
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port} within 10 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async () => {
    if (child?.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    await exited;
    child = undefined;
  };
  await start();
  return {
    url: `${options.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    tlsPort,
    pid: () => child?.pid,
    log: () => output,
    stop,
    start,
    async close() {
      await stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
