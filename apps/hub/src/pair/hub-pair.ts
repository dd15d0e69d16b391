/**
 * A hub's place in a pair (or more) of hubs sharing one PostgreSQL database: its elected
 * standing (pair/active-election.ts), and the active hub as it records itself in the store
 * (`active_hub` in meta), which standbys read to say who is active and since when.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PairStanding } from '@riohub/hub-api';
import { readMeta, writeMeta, type Queryable, type Store } from '../db/store';
import { ActiveElection, CHANGES_CHANNEL, type ElectionOptions } from './active-election';

/** How often a standby reads which hub is active. */
const ACTIVE_HUB_READ_MS = 2_000;

type ActiveHub = NonNullable<PairStanding['activeHub']>;

export class HubPair extends EventEmitter<{ change: [standing: PairStanding]; notice: [topic: string] }> {
  private readonly election: ActiveElection;
  private activeHub: ActiveHub | undefined;
  private readTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    url: string,
    /** This hub: its own instance id (kept in its data folder) and the name it is shown by. */
    private readonly self: { instanceId: string; name: string },
    options: ElectionOptions,
  ) {
    super();
    this.election = new ActiveElection(url, options);
    this.election.on('change', () => void this.follow());
    this.election.on('notice', (topic) => this.emit('notice', topic));
  }

  /** Tells every hub on the database (this one too) that `topic` changed in the store; `*`: anything may have. */
  async announce(topic: string): Promise<void> {
    await this.store.run('SELECT pg_notify(?, ?)', [CHANGES_CHANNEL, topic]);
  }

  get active(): boolean {
    return this.election.state.active;
  }

  standing(): PairStanding {
    const { active, since } = this.election.state;
    return { active, since, ...(this.activeHub ? { activeHub: this.activeHub } : {}) };
  }

  /** Takes part in the election (a lone hub is active when this resolves) and follows the active hub. */
  async start(): Promise<void> {
    await this.election.start();
    await this.follow();
    this.readTimer = setInterval(() => void this.readActiveHub(), ACTIVE_HUB_READ_MS);
    this.readTimer.unref();
  }

  /** Throws `NotActiveError` unless this hub holds the lock now; run inside the transaction it guards. */
  fence(tx: Queryable): Promise<void> {
    return this.election.fence(tx);
  }

  async stop(): Promise<void> {
    clearInterval(this.readTimer);
    await this.election.stop();
  }

  private async follow(): Promise<void> {
    const { active, since } = this.election.state;
    if (active) {
      this.activeHub = { ...this.self, since };
      try {
        await writeMeta(this.store, 'active_hub', JSON.stringify(this.activeHub));
      } catch {
        // Said again at the next change; standbys show the hub recorded before until then.
      }
    } else {
      await this.readActiveHub(false);
    }
    this.emit('change', this.standing());
  }

  private async readActiveHub(announce = true): Promise<void> {
    if (this.active) return;
    let recorded: ActiveHub | undefined;
    try {
      const text = await readMeta(this.store, 'active_hub');
      recorded = text ? (JSON.parse(text) as ActiveHub) : undefined;
    } catch {
      return;
    }
    if (JSON.stringify(recorded) === JSON.stringify(this.activeHub)) return;
    this.activeHub = recorded;
    if (announce) this.emit('change', this.standing());
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
