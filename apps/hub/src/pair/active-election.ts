/**
 * Which of the hubs sharing one PostgreSQL database is the active one: the hub whose session
 * holds a session-level advisory lock. Each hub keeps one connection of its own for it, outside
 * the pool, and every `heartbeatMs` either tries to take the lock (standby) or proves it still
 * has the session (active).
 *
 * The lock goes with the session, so it is freed when the active:
 * - dies (kill -9): the kernel closes its socket and the server ends the session at once;
 * - hangs (a stopped process, a frozen machine): its session says nothing for
 *   `sessionTimeoutMs`, and the server ends it (`idle_session_timeout`);
 * - loses the database (a broken network): the server side ends as in a hang, and the hub's own
 *   heartbeat fails, so it stops acting without waiting to be told.
 * A standby takes the lock at its next heartbeat after that: within `sessionTimeoutMs +
 * heartbeatMs`.
 *
 * A hub that was stopped and resumes may still believe it is active until its next heartbeat:
 * `fence` checks, inside a transaction, that this hub's session still holds the lock, so a
 * logger page or a write recorded by a deposed hub is refused by the database itself. A hub
 * that takes the lock also raises the pair's epoch (`active_epoch` in `meta`) before it acts,
 * and `fence` reads that row `FOR SHARE` and finds it unchanged: a deposed hub's transaction that
 * passed its fence just before the takeover holds the row, so the new active hub's raise waits
 * until that transaction has committed or been ended by the server (`idle_in_transaction_session_
 * timeout`): nothing of the deposed hub commits after the new one began to act.
 */
import { AsyncResource } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Queryable } from '../db/store';

/** The advisory lock's two keys: "rioh" and 2 (1 is the migrations'). */
export const ACTIVE_LOCK = [0x72696f68, 2] as const;

export interface ElectionState {
  active: boolean;
  /** When this hub became what it is (ms). */
  since: number;
}

export interface ElectionOptions {
  heartbeatMs?: number;
  /** How long a silent session keeps the lock: the longest a hung active holds on. */
  sessionTimeoutMs?: number;
  logger: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
}

/** The row of `meta` that counts the takeovers: raised by each hub that becomes active. */
const EPOCH_KEY = 'active_epoch';

/**
 * How long a new active hub waits to raise the epoch: a deposed hub's transaction holding the row
 * is ended by the server after its idle-in-transaction timeout (5 s, db/postgres-store.ts).
 */
const EPOCH_RAISE_TIMEOUT_MS = 8_000;

/** A deposed hub's write or logger page: refused, never applied. */
export class NotActiveError extends Error {
  constructor() {
    super('this hub is no longer the active one: another hub took over');
    this.name = 'NotActiveError';
  }
}

/** The channels hubs sharing a database talk on (`NOTIFY`): what they changed there, writes a standby forwards and their answers, and writes confirmed on the active hub. */
export const CHANNELS = ['riohub_changes', 'riohub_writes', 'riohub_written', 'riohub_confirmed'] as const;
export type Channel = (typeof CHANNELS)[number];

export class ActiveElection extends EventEmitter<{ change: [state: ElectionState]; notice: [channel: Channel, payload: string] }> {
  private client: pg.Client | undefined;
  /** The server process of this hub's lock session: the lock's holder in `pg_locks`. */
  private sessionPid: number | undefined;
  /** The epoch this hub raised when it took the lock (`undefined` while it is not active). */
  private epoch: string | undefined;
  private current: ElectionState = { active: false, since: Date.now() };
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private ticking: Promise<void> | undefined;
  private readonly heartbeatMs: number;
  private readonly sessionTimeoutMs: number;
  /**
   * Runs what the election tells its listeners in the context the election was made in: a loss
   * found by `fence`, inside a store transaction, must not make the listeners' statements part of
   * that transaction (the stores find theirs by AsyncLocalStorage).
   */
  private readonly outside = AsyncResource.bind((tell: () => void) => tell());

  constructor(
    private readonly url: string,
    private readonly options: ElectionOptions,
  ) {
    super();
    this.heartbeatMs = options.heartbeatMs ?? 1_000;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 5_000;
  }

  get state(): ElectionState {
    return this.current;
  }

  /** Makes the first attempt (so a lone hub starts active), then keeps at it. */
  async start(): Promise<void> {
    this.ticking = this.tick();
    await this.ticking;
    this.ticking = undefined;
    this.schedule();
  }

  /**
   * Throws `NotActiveError` unless this hub's lock session holds the lock now. Run inside the
   * transaction it guards: the check and the write commit together or not at all.
   */
  async fence(tx: Queryable): Promise<void> {
    const pid = this.sessionPid;
    const epoch = this.epoch;
    if (!this.current.active || pid === undefined || epoch === undefined) throw new NotActiveError();
    // Held until this transaction ends: a takeover's raise of the epoch waits for it.
    const recorded = await tx.get<{ value: string }>('SELECT value FROM meta WHERE key = ? FOR SHARE', [EPOCH_KEY]);
    if (recorded?.value !== epoch) {
      this.lose('another hub took over (the epoch was raised)');
      throw new NotActiveError();
    }
    const held = await tx.get<{ held: number }>(
      "SELECT count(*) AS held FROM pg_locks WHERE locktype = 'advisory' AND classid = ? AND objid = ? AND objsubid = 2 AND pid = ? AND granted",
      [ACTIVE_LOCK[0], ACTIVE_LOCK[1], pid],
    );
    if (!held || held.held === 0) {
      this.lose('the lock is no longer held by this hub');
      throw new NotActiveError();
    }
  }

  /**
   * Resolves once this hub's session listens on the channels (after a lost session, at the next
   * heartbeat's reconnect); false when it does not within `timeoutMs`. An answer said while no
   * session listens is never heard, so a question is asked only once this holds.
   */
  async listening(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.client) {
      if (this.stopped || Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return true;
  }

  /** Gives the lock up (a clean shutdown hands over at once) and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => {});
    if (this.current.active) this.become(false);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        this.schedule();
      });
    }, this.heartbeatMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const client = this.client ?? (await this.connect());
      if (this.current.active) {
        const { rows } = await client.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [EPOCH_KEY]);
        if (rows[0]?.value !== this.epoch) this.lose('another hub took over (the epoch was raised)');
      } else {
        const { rows } = await client.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS taken', [...ACTIVE_LOCK]);
        if (!rows[0]?.taken || this.stopped) return;
        // Before acting: every transaction a deposed hub fenced before now has ended.
        // pg reads `query_timeout` per query too (its types know it only per client): this one may wait.
        const raise = {
          text: "INSERT INTO meta (key, value) VALUES ($1, '1') ON CONFLICT (key) DO UPDATE SET value = (meta.value::bigint + 1)::text RETURNING value",
          values: [EPOCH_KEY],
          query_timeout: EPOCH_RAISE_TIMEOUT_MS + 1_000,
        } as pg.QueryConfig;
        const raised = await client.query<{ value: string }>(raise);
        this.epoch = raised.rows[0]?.value;
        if (!this.stopped && this.client === client) this.become(true);
      }
    } catch (error) {
      this.lose(`the database did not answer (${(error as Error).message})`);
    }
  }

  private async connect(): Promise<pg.Client> {
    // Loaded by the first election, not with the hub: a hub on SQLite never needs pg.
    const { default: driver } = await import('pg');
    const client = new driver.Client({
      connectionString: this.url,
      application_name: 'riohub election',
      // A heartbeat that gets no answer is a lost database, not a slow one.
      query_timeout: Math.max(this.heartbeatMs * 2, 1_000),
      connectionTimeoutMillis: Math.max(this.heartbeatMs * 2, 1_000),
      keepAlive: true,
    });
    // A late error of a connection already replaced is no news about the current one.
    client.on('error', (error) => {
      if (this.client === client) this.lose(`the lock's connection failed (${error.message})`);
    });
    try {
      await client.connect();
      // The server ends a session silent this long, freeing the lock of a hung hub.
      await client.query(`SET idle_session_timeout = ${Math.round(this.sessionTimeoutMs)}`).catch((error: { code?: string }) => {
        // 42704: a server older than PostgreSQL 14 has no such setting; a hung active hub then
        // keeps the lock until its connection dies.
        if (error.code !== '42704') throw error;
        this.options.logger.warn({}, 'this PostgreSQL has no idle_session_timeout (it is older than 14): a hung active hub is not replaced until its connection dies');
      });
      // The server gives up raising the epoch (a deposed hub's transaction holding it past its own
      // timeout) rather than wait on while this session holds the lock.
      await client.query(`SET lock_timeout = ${EPOCH_RAISE_TIMEOUT_MS}`);
      this.sessionPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      // The same session hears the other hubs (pair/hub-pair.ts).
      client.on('notification', (message) => {
        if ((CHANNELS as readonly string[]).includes(message.channel)) this.outside(() => this.emit('notice', message.channel as Channel, message.payload ?? ''));
      });
      for (const channel of CHANNELS) await client.query(`LISTEN ${channel}`);
      // Whatever changed while no session listened is caught up with now.
      this.outside(() => this.emit('notice', 'riohub_changes', '*'));
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      throw new Error('the election stopped while connecting');
    }
    this.client = client;
    return client;
  }

  /** The lock's session is gone or in doubt: stop acting at once, and start over with a new one. */
  private lose(why: string): void {
    const client = this.client;
    this.client = undefined;
    this.sessionPid = undefined;
    this.epoch = undefined;
    if (client) void client.end().catch(() => {});
    if (this.current.active) {
      this.options.logger.warn({ why }, 'no longer the active hub: standing by');
      this.become(false);
    }
  }

  private become(active: boolean): void {
    this.current = { active, since: Date.now() };
    if (active) this.options.logger.info({}, 'this hub is now the active one');
    const state = this.current;
    this.outside(() => this.emit('change', state));
  }
}
