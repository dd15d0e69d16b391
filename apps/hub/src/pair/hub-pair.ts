/**
 * A hub's place in a pair (or more) of hubs sharing one PostgreSQL database: its elected
 * standing (pair/active-election.ts), and the active hub as it records itself in the store
 * (`active_hub` in meta), which standbys read to say who is active and since when. The hubs
 * talk over the database's notifications: what they changed in the store, the writes a standby
 * forwards to the active hub with their answers, and the writes the active hub saw confirmed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, fail, type PairStanding, type Result, type WriteOrigin, type WriteRecord, type WriteRequest } from '@riohub/hub-api';
import type { Write, WriteResult } from '@riohub/protocol';
import { SecretUnreadableError } from '../db/secret-box';
import { readMeta, secretBoxOf, writeMeta, type Queryable, type Store } from '../db/store';
import { isLoopback } from '../config';
import { hostOf } from '../links/remote-client';
import { ActiveElection, type Channel, type ElectionOptions } from './active-election';

/** How often a standby reads which hub is active. */
const ACTIVE_HUB_READ_MS = 2_000;

type ActiveHub = NonNullable<PairStanding['activeHub']>;

/**
 * Where a hub serves its Remote I/O API to the others of its pair: the URL they reach it at, and
 * its certificate's fingerprint when it serves HTTPS (pinned by them: the store vouches for it).
 */
export interface PeerApi {
  url: string;
  fingerprint?: string;
}

export interface HubPairOptions extends ElectionOptions {
  /**
   * Whether this hub may send the pair's key over plain HTTP to another hub that is not on this
   * machine (it was started with `--insecure-http`): otherwise it mirrors no hub served so.
   */
  plainHttp?: boolean;
}

/** The active hub as it records itself: who, since when, and where its API is served. */
type ActiveRecord = ActiveHub & { api?: PeerApi };

/** Where the active hub leaves an answer too long for a notification, in `meta`. */
const ANSWER_KEY_PREFIX = 'forwarded-answer:';

/** The key of an answer left at `at` (ms): keys sort by age (13 digits until the year 2286). */
function answerKey(id: string, at: number): string {
  return `${ANSWER_KEY_PREFIX}${String(at).padStart(13, '0')}:${id}`;
}

/** Answers left this long ago were awaited by nobody any more (the wait is 15 s). */
const STORED_ANSWER_TTL_MS = 60_000;

/** The sealed key the hubs of a pair read each other's Remote I/O API with, in `meta`. */
const PEER_KEY = 'pair_key';
/** The associated data it is sealed with. */
const PEER_KEY_PLACE = 'pair-key';

/** How long a standby waits for the active hub to answer a write it forwarded. */
export const FORWARD_TIMEOUT_MS = 15_000;
/** Errors of a statement that never reached the server: no connection could be made. */
const NOT_SENT_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', '57P03'];
/** PostgreSQL's limit on a notification's payload, less a margin. */
const MAX_PAYLOAD_BYTES = 7_900;

/**
 * A write a standby forwards to the active hub, as it goes over `riohub_writes`: an operator's
 * value (`request`), or the values of one `rioset`/`riouiset` of its Remote I/O API (`batch`).
 */
export type ForwardedWrite = {
  id: string;
  /** The standby's name, for the log. */
  from: string;
  origin: WriteOrigin;
} & ({ request: WriteRequest } | { batch: { kind: 'io' | 'ui'; writes: Write[] } });

/** What a forwarded write is answered with when the active hub's answer is not there to give. */
interface Unanswered<T> {
  /** Nothing was sent (too long, or the database was not reached): `why` says what happened. */
  notSent(why: string): T;
  /** Sent, but not answered: whether it was applied is unknown; `why` says what happened. */
  unknown(why: string): T;
}

/** An operator's write: a failure with the code that says which. */
const UNANSWERED_REQUEST: Unanswered<Result<WriteRecord>> = {
  notSent: (why) => fail(ERROR_CODES.STANDBY, `this hub is the standby of a pair and ${why}: nothing was sent`),
  unknown: (why) => fail(ERROR_CODES.NO_ANSWER, `${why}: whether it was applied is unknown, check the value`),
};

/** A Remote I/O API write (all or nothing): refused with every name, or its outcome unknown. */
function unansweredBatch(writes: readonly Write[]): Unanswered<WriteResult> {
  const names = writes.map(([name]) => name);
  return {
    notSent: (why) => {
      const reason = `this hub is the standby of a pair and ${why}: nothing was sent`;
      return { ok: false, error: 'not applied', names, reasons: Object.fromEntries(names.map((name) => [name, reason])) };
    },
    unknown: (why) => ({ ok: false, error: `outcome unknown: ${why}; check the values` }),
  };
}

export class HubPair extends EventEmitter<{ change: [standing: PairStanding]; notice: [topic: string]; forwarded: [write: ForwardedWrite]; confirmed: [writeId: number] }> {
  private readonly election: ActiveElection;
  private activeHub: ActiveRecord | undefined;
  /** Where this hub serves its API, once it listens (`advertise`). */
  private ownApi: PeerApi | undefined;
  /** The pair's key to each other's Remote I/O API, once started. */
  private key: string | undefined;
  /** Forwarded writes waiting for the active hub's answer, by id. */
  private readonly answers = new Map<string, { answer: (result: unknown) => void; unanswered: Unanswered<unknown> }>();
  /** The tail of the forwarded writes' notifications. */
  private forwards: Promise<unknown> = Promise.resolve();
  private readTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    url: string,
    /** This hub: its own instance id (kept in its data folder) and the name it is shown by. */
    private readonly self: { instanceId: string; name: string },
    private readonly options: HubPairOptions,
  ) {
    super();
    this.election = new ActiveElection(url, options);
    this.election.on('change', () => void this.follow());
    this.election.on('notice', (channel, payload) => this.hear(channel, payload));
  }

  /** Tells every hub on the database (this one too) that `topic` changed in the store; `*`: anything may have. */
  async announce(topic: string): Promise<void> {
    await this.store.run("SELECT pg_notify('riohub_changes', ?)", [topic]);
  }

  /**
   * Sends a standby's write to the active hub, over the database both already reach (no address,
   * certificate or password between the hubs), and waits for its answer. The active writes it
   * through its own pipeline (fenced, logged once); an answer that does not come is reported as
   * unknown, never sent again.
   */
  forward(request: WriteRequest, origin: WriteOrigin): Promise<Result<WriteRecord>> {
    return this.send({ id: randomUUID(), from: this.self.name, origin, request }, UNANSWERED_REQUEST);
  }

  /** Sends the values of one write of this standby's Remote I/O API to the active hub, all or nothing, as `forward` does one. */
  forwardMany(kind: 'io' | 'ui', writes: readonly Write[], origin: WriteOrigin): Promise<WriteResult> {
    return this.send({ id: randomUUID(), from: this.self.name, origin, batch: { kind, writes: [...writes] } }, unansweredBatch(writes));
  }

  private async send<T>(write: ForwardedWrite, unanswered: Unanswered<T>): Promise<T> {
    const payload = JSON.stringify(write);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) return unanswered.notSent('the values are too long to forward: write them on the active hub');
    if (!(await this.election.listening(FORWARD_TIMEOUT_MS / 3))) return unanswered.notSent('cannot reach the database to forward the write');
    const answer = new Promise<T>((resolve) => {
      const timer = setTimeout(() => {
        this.answers.delete(write.id);
        resolve(unanswered.unknown(`the active hub did not answer the forwarded write in ${FORWARD_TIMEOUT_MS / 1000} s`));
      }, FORWARD_TIMEOUT_MS);
      const settle = (result: unknown) => {
        clearTimeout(timer);
        this.answers.delete(write.id);
        resolve(result as T);
      };
      this.answers.set(write.id, { answer: settle, unanswered: unanswered as Unanswered<unknown> });
    });
    // One notification after another, each sent once the one before is: the active hub hears
    // an operator's writes in the order they were made.
    const sent = this.forwards.then(() => this.store.run("SELECT pg_notify('riohub_writes', ?)", [payload]));
    this.forwards = sent.catch(() => undefined);
    try {
      await sent;
    } catch (error) {
      // Refused before it reached the server: nothing was sent. Any later failure (an answer
      // lost on the way back) may hide a notification that went out: its answer is awaited.
      if (NOT_SENT_CODES.includes((error as { code?: string }).code ?? '')) {
        this.answers.get(write.id)?.answer(unanswered.notSent(`could not reach the database to forward the write (${(error as Error).message})`));
      }
    }
    return answer;
  }

  /**
   * Tells the standbys that the write `writeId` came back through the poll (the active hub): its
   * writer may be watching it on a standby's dashboard. By id: the record, read from the store
   * both share, may be longer than a notification holds.
   */
  async announceConfirmed(writeId: number): Promise<void> {
    await this.store.run("SELECT pg_notify('riohub_confirmed', ?)", [String(writeId)]);
  }

  /** Answers a forwarded write (the active hub, once its pipeline has). */
  async answer(id: string, result: Result<WriteRecord> | WriteResult): Promise<void> {
    const payload = JSON.stringify({ id, result });
    if (Buffer.byteLength(payload) <= MAX_PAYLOAD_BYTES) {
      await this.store.run("SELECT pg_notify('riohub_written', ?)", [payload]);
      return;
    }
    // Too long for a notification (a record with two long values): left in the store, and the
    // standby told to take it from there; the notification goes out when the answer is stored.
    // Those its standby never took (it gave up waiting, or stopped) are cleared here, later.
    const key = answerKey(id, Date.now());
    await this.store.transaction(async (tx) => {
      await tx.run('DELETE FROM meta WHERE key LIKE ? AND key < ?', [`${ANSWER_KEY_PREFIX}%`, answerKey('', Date.now() - STORED_ANSWER_TTL_MS)]);
      await writeMeta(tx, key, JSON.stringify(result));
      await tx.run("SELECT pg_notify('riohub_written', ?)", [JSON.stringify({ id, stored: key })]);
    });
  }

  /** Takes an answer the active hub left in the store (and clears it), for the write waiting for it. */
  private async takeStoredAnswer(id: string, key: string): Promise<void> {
    const waiting = this.answers.get(id);
    // Another standby's write (ids are unique to the hub that forwarded them), or one no longer awaited.
    if (!waiting || !key.startsWith(ANSWER_KEY_PREFIX) || !key.endsWith(`:${id}`)) return;
    try {
      const stored = await this.store.transaction(async (tx) => {
        const text = await readMeta(tx, key);
        await tx.run('DELETE FROM meta WHERE key = ?', [key]);
        return text;
      });
      if (stored !== undefined) waiting.answer(JSON.parse(stored));
    } catch (error) {
      waiting.answer(waiting.unanswered.unknown(`the active hub's answer could not be read from the database (${(error as Error).message})`));
    }
  }

  private hear(channel: Channel, payload: string): void {
    try {
      if (channel === 'riohub_changes') this.emit('notice', payload);
      else if (channel === 'riohub_writes' && this.active) this.emit('forwarded', JSON.parse(payload) as ForwardedWrite);
      else if (channel === 'riohub_confirmed' && !this.active && Number.isSafeInteger(Number(payload))) this.emit('confirmed', Number(payload));
      else if (channel === 'riohub_written') {
        const { id, result, stored } = JSON.parse(payload) as { id: string; result?: unknown; stored?: string };
        if (typeof stored === 'string') void this.takeStoredAnswer(id, stored);
        else this.answers.get(id)?.answer(result);
      }
    } catch {
      // Not one of ours (another program on the channel): ignored.
    }
  }

  get active(): boolean {
    return this.election.state.active;
  }

  standing(): PairStanding {
    const { active, since } = this.election.state;
    if (!this.activeHub) return { active, since };
    const { instanceId, name, since: activeSince } = this.activeHub;
    return { active, since, activeHub: { instanceId, name, since: activeSince } };
  }

  /**
   * The key the hubs of this pair read each other's Remote I/O API with (the standby mirrors the
   * active hub's tree): made by the first hub, sealed in the store with the pair's secret key.
   */
  get peerKey(): string | undefined {
    return this.key;
  }

  /** Where the active hub serves its Remote I/O API, while another hub is active and has said. */
  activeApi(): PeerApi | undefined {
    // Just deposed, this hub's own record is the last one read until the new active hub's is:
    // it does not mirror itself meanwhile.
    if (this.active || this.activeHub?.instanceId === this.self.instanceId) return undefined;
    return this.activeHub?.api;
  }

  /** Why the pair's key may not be sent to `api`, if it may not: over plain HTTP, off this machine, unless allowed. */
  refusesToSend(api: PeerApi): string | undefined {
    let url: URL;
    try {
      url = new URL(api.url);
    } catch {
      return `the active hub recorded an address that cannot be read (${api.url})`;
    }
    if (url.protocol !== 'http:' || isLoopback(hostOf(url)) || this.options.plainHttp) return undefined;
    return `the active hub is reached over plain HTTP (${url.host}), which would carry the pair's key in clear: serve the hubs over HTTPS (--tls), or start this one with --insecure-http to accept it`;
  }

  /** Records where this hub serves its API (once it listens), for the others to mirror it while it is active. */
  async advertise(api: PeerApi): Promise<void> {
    this.ownApi = api;
    if (this.active && this.activeHub) {
      this.activeHub = { ...this.activeHub, api };
      await this.recordSelf();
    }
  }

  /** Takes part in the election (a lone hub is active when this resolves) and follows the active hub. */
  async start(): Promise<void> {
    this.key = await this.readPeerKey();
    await this.election.start();
    await this.follow();
    // A standby reads who is active; the active hub records itself again, so that a record a
    // deposed hub wrote late is set right.
    this.readTimer = setInterval(() => void (this.active ? this.recordSelf() : this.readActiveHub()), ACTIVE_HUB_READ_MS);
    this.readTimer.unref();
  }

  /** Throws `NotActiveError` unless this hub holds the lock now; run inside the transaction it guards. */
  fence(tx: Queryable): Promise<void> {
    return this.election.fence(tx);
  }

  async stop(): Promise<void> {
    clearInterval(this.readTimer);
    for (const { answer, unanswered } of this.answers.values()) answer(unanswered.unknown('this hub stopped before the active hub answered the forwarded write'));
    await this.election.stop();
  }

  /**
   * Tells the hub its new standing at once (it acts on it: a hub that lost the lock stops before
   * anything else), then who is active, once read from the store, which may be the lost thing.
   */
  private async follow(): Promise<void> {
    const { active, since } = this.election.state;
    if (active) this.activeHub = { ...this.self, since, ...(this.ownApi ? { api: this.ownApi } : {}) };
    this.emit('change', this.standing());
    if (active) await this.recordSelf();
    else await this.readActiveHub();
  }

  /** Records this hub as the active one, in a transaction that proves it still is. */
  private async recordSelf(): Promise<void> {
    const self = this.activeHub;
    if (!this.active || !self) return;
    try {
      await this.store.transaction(async (tx) => {
        await this.election.fence(tx);
        await writeMeta(tx, 'active_hub', JSON.stringify(self));
      });
    } catch {
      // Recorded again at the next read; standbys show the hub recorded before until then.
    }
  }

  private async readActiveHub(): Promise<void> {
    if (this.active) return;
    let recorded: ActiveRecord | undefined;
    try {
      const text = await readMeta(this.store, 'active_hub');
      recorded = text ? (JSON.parse(text) as ActiveRecord) : undefined;
    } catch {
      return;
    }
    if (JSON.stringify(recorded) === JSON.stringify(this.activeHub)) return;
    this.activeHub = recorded;
    this.emit('change', this.standing());
  }

  /** The pair's key, made by the first hub to need it, and again by one whose secret key cannot open it. */
  private async readPeerKey(): Promise<string | undefined> {
    const box = secretBoxOf(this.store);
    const made = () => box.seal(randomBytes(32).toString('base64url'), PEER_KEY_PLACE);
    await this.store.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [PEER_KEY, made()]);
    const sealed = await readMeta(this.store, PEER_KEY);
    try {
      return sealed ? box.open(sealed, PEER_KEY_PLACE) : undefined;
    } catch (error) {
      if (!(error instanceof SecretUnreadableError)) throw error;
      // Sealed under a secret key the pair no longer uses (the key was changed): made again, for
      // the hubs that share this one. A hub left on the old key reads neither this nor the passwords.
      this.options.logger.warn({}, "the pair's key was sealed with another secret key: a new one is made; every hub of the pair needs this hub's secret key");
      const replacement = made();
      await writeMeta(this.store, PEER_KEY, replacement);
      return box.open(replacement, PEER_KEY_PLACE);
    }
  }
}

/**
 * This hub's own instance id when its store is shared (`<data>/instance-id`, made on the first
 * start): the hubs of a pair are told apart by it, where on SQLite the store keeps the one id.
 */
export function ownInstanceId(dataDir: string): string {
  const file = join(dataDir, 'instance-id');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept) return kept;
  }
  const made = randomUUID();
  writeFileSync(file, `${made}\n`, { mode: 0o600 });
  return made;
}
