/**
 * A real hub for tests: in this process, on a free loopback port, with its own data folder and
 * store (the SQLite file in the folder, or a PostgreSQL database of its own when the suite runs
 * on PostgreSQL: see testing/test-store.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Point, RemoteView, Result, ServerMessage } from '@riohub/hub-api';
import { fingerprintOf } from '@riohub/certificate';
import { logLevelFrom } from '@riohub/cli';
import { spawnSim, type SimProcess } from '@riohub/sim-launcher';
import { afterEach, beforeEach } from 'vitest';
import { Agent, request, type Dispatcher } from 'undici';
import type { DestinationStream } from 'pino';
import { WebSocket } from 'ws';
import { startHub, type RunningHub } from '../server';
import { testDatabase, type TestDatabase } from './test-store';

export const ADMIN_PASSWORD = 'test-admin-pw';

export interface TestHub {
  running: RunningHub;
  url: string;
  dataDir: string;
  /** `--database`: the PostgreSQL database's URL, or `undefined` for the SQLite file in `dataDir`. */
  database: string | undefined;
  /** Signed in as admin. */
  admin: HubClient;
  signIn(name: string, password: string): Promise<HubClient>;
  /** Stops the hub and keeps its data folder (and database), for a restart on the same folder and port. */
  stop(): Promise<void>;
  /** Stops the hub and removes its data folder (and drops its database). */
  close(): Promise<void>;
}

export interface TestHubOptions {
  /** Serve HTTPS with a self-signed certificate kept in the data folder (as `--tls`). */
  tls?: boolean;
  /** 0 (the default): any free port. A restarted hub passes its former port. */
  port?: number;
  /** The hub's log (JSON lines), for tests of what it logs. */
  logStream?: DestinationStream;
  /** How often the kept certificate is checked for renewal while the hub runs. */
  certificateCheckMs?: number;
  /** Host names the dashboard answers to besides the defaults (`--allowed-hosts`). */
  allowedHosts?: string[];
  /** More environment for the hub (e.g. `RIOHUB_SECRET_KEY`). */
  env?: Record<string, string>;
  /** The reverse proxies whose forwarded headers are believed (`--trust-proxy`). */
  trustProxy?: string;
  /** `--database`: a PostgreSQL database's URL instead of this run's store (a bench comparing the stores); its caller drops it. */
  database?: string;
}

/** What `hubPerTest` gives a describe block. */
export interface HubPerTest {
  /** This test's hub; a test may replace it (a restart on the same folder). */
  hub: TestHub;
  /** A simulator with the block's arguments and more; killed after the test. */
  sim(args: string[], dataDir?: string): Promise<SimProcess>;
}

/** For a describe block: a fresh hub before each test, and simulators that die with the test. */
export function hubPerTest(simArgs: readonly string[]): HubPerTest {
  const sims: SimProcess[] = [];
  const context: HubPerTest = {
    hub: undefined as unknown as TestHub,
    async sim(args, dataDir) {
      const started = await spawnSim([...simArgs, ...args], dataDir ? { dataDir } : {});
      sims.push(started);
      return started;
    },
  };
  beforeEach(async () => {
    context.hub = await startTestHub();
  });
  afterEach(async () => {
    await context.hub.close();
    await Promise.all(sims.splice(0).map((sim) => sim.stop('SIGKILL')));
  });
  return context;
}

/**
 * The database of each data folder a test hub runs on: a hub started again on a folder (a
 * restart) finds what it stored there, as it would in its SQLite file.
 */
const databases = new Map<string, TestDatabase>();

export async function startTestHub(dataDir = mkdtempSync(join(tmpdir(), 'riohub-test-hub-')), options: TestHubOptions = {}): Promise<TestHub> {
  const database = databases.get(dataDir) ?? (options.database !== undefined ? { database: options.database, drop: async () => {} } : await testDatabase());
  databases.set(dataDir, database);
  const env = { RIOHUB_ADMIN_PASSWORD: ADMIN_PASSWORD, RIOHUB_LOG_LEVEL: 'warn', ...options.env };
  const running = await startHub(
    {
      host: '127.0.0.1',
      port: options.port ?? 0,
      data: dataDir,
      database: database.database,
      demo: false,
      insecureHttp: false,
      tls: options.tls ?? false,
      cert: undefined,
      key: undefined,
      allowedHosts: options.allowedHosts ?? [],
      ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
      logLevel: logLevelFrom(env),
    },
    env,
    { ...(options.logStream ? { logStream: options.logStream } : {}), ...(options.certificateCheckMs ? { certificateCheckMs: options.certificateCheckMs } : {}) },
  );
  let stopped: Promise<void> | undefined;
  // The hub's own certificate is the only one trusted, and only for this hub.
  const dispatcher = running.certificate ? new Agent({ connect: { ca: running.certificate } }) : undefined;
  const signIn = async (name: string, password: string) => {
    const client = new HubClient(running.url, dispatcher);
    const result = await client.call('POST', '/api/session', { name, password });
    if (!result.body.ok) throw new Error(`sign-in failed: ${result.body.error.message}`);
    return client;
  };
  const stop = () => {
    stopped ??= (async () => {
      await running.close();
      await dispatcher?.close();
    })();
    return stopped;
  };
  return {
    running,
    url: running.url,
    dataDir,
    database: database.database,
    admin: await signIn('admin', ADMIN_PASSWORD),
    signIn,
    stop,
    async close() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (databases.get(dataDir) === database) {
        databases.delete(dataDir);
        await database.drop();
      }
    },
  };
}

export class HubClient {
  cookie: string | undefined;

  /** `dispatcher`: for a hub served over HTTPS, an agent that trusts its certificate. */
  constructor(
    readonly url: string,
    readonly dispatcher?: Dispatcher,
  ) {}

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: Result<T>; setCookie?: string }> {
    const response = await request(`${this.url}${path}`, {
      method: method as 'GET',
      ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers['set-cookie'];
    const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
    if (first) this.cookie = first.split(';')[0];
    return { status: response.statusCode, body: (await response.body.json()) as Result<T>, ...(first ? { setCookie: first } : {}) };
  }

  async data<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { body: result } = await this.call<T>(method, path, body);
    if (!result.ok) throw new Error(`${method} ${path}: ${result.error.code}: ${result.error.message}`);
    return result.data;
  }

  /** A download (a CSV): its status, type, disposition and text, whatever the content. */
  async download(path: string): Promise<{ status: number; type: string; disposition: string; body: string }> {
    const response = await request(`${this.url}${path}`, {
      ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      headers: this.cookie ? { cookie: this.cookie } : {},
    });
    return {
      status: response.statusCode,
      type: String(response.headers['content-type']),
      disposition: String(response.headers['content-disposition']),
      body: await response.body.text(),
    };
  }

  remote(name: string): Promise<RemoteView> {
    return this.data<RemoteView>('GET', `/api/remotes/${name}`);
  }

  point(name: string, kind?: string): Promise<Point> {
    return this.data<Point>('GET', `/api/points/${name}${kind ? `?kind=${kind}` : ''}`);
  }

  /** Adds a simulator (or any server with a URL and certificate, e.g. another hub) as a remote, its certificate pinned. */
  addSim(name: string, sim: Pick<SimProcess, 'url' | 'certificate'>, password: string, options: object = {}, extra: object = {}): Promise<RemoteView> {
    const url = new URL(sim.url);
    return this.data<RemoteView>('POST', '/api/remotes', {
      name,
      host: url.hostname,
      port: Number(url.port),
      tls: url.protocol === 'http:' ? 'http' : 'pin',
      fingerprint: sim.certificate ? fingerprintOf(sim.certificate) : '',
      password,
      options,
      ...extra,
    });
  }

  /** A WebSocket to `/api/ws`, with every message it receives kept in order; `ca`: a hub served over HTTPS, its certificate. */
  async socket(headers: Record<string, string> = {}, ca?: string): Promise<HubSocket> {
    const ws = new WebSocket(`${this.url.replace(/^http/, 'ws')}/api/ws`, { headers: { ...headers, ...(this.cookie ? { cookie: this.cookie } : {}) }, ...(ca ? { ca } : {}) });
    const socket = new HubSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    });
    return socket;
  }
}

export class HubSocket {
  readonly messages: ServerMessage[] = [];
  /** The latest value of every point seen through snapshots and deltas. */
  readonly state = new Map<string, Point>();
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      this.messages.push(message);
      if (message.type === 'snapshot' || message.type === 'delta') {
        for (const point of message.payload.points) this.state.set(`${point.kind}:${point.name}`, point);
      }
      if (message.type === 'removed') for (const { kind, name } of message.payload.points) this.state.delete(`${kind}:${name}`);
      const waiting = this.waiters;
      this.waiters = [];
      waiting.forEach((wake) => wake());
    });
  }

  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Resolves once `test` holds, checked after every message. */
  async until(test: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline) throw new Error('timed out waiting on the socket');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}

/** Polls `read` until `test` accepts its value; a read that throws (not there yet) is retried. */
export async function eventually<T>(read: () => Promise<T>, test: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await read();
      if (test(value)) return value;
      last = value;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
