/**
 * A standby's mirror of the active hub's live tree, for the remotes the standby does not poll
 * itself (those with `shutdownWhenInactive`): one link to the active hub's own Remote I/O API
 * (PROTOCOL.md, read with the pair's key, its certificate pinned by the fingerprint the active hub
 * recorded in the shared store), whose answers are cut by remote prefix and handed to the fleet's
 * sink as if each mirrored remote had answered itself. What belongs to a remote this hub polls, or
 * to none, is left alone: the standby's own links are the truth for those.
 */
import { DEFAULT_REMOTE_OPTIONS, ERROR_CODES, type RemoteSettings, type RemoteStatus } from '@riohub/hub-api';
import type { Entry, HsycoTopology, QualityEntry } from '@riohub/protocol';
import { hostOf } from '../links/remote-client';
import { RemoteLink, type LinkSink } from '../links/remote-link';
import type { PeerApi } from './hub-pair';

/** The hub's own points of a remote (links/remote-link.ts), served as datapoints `<remote>.<suffix>`. */
const OWN_POINTS = ['connection', 'time.delta', 'time.alarm'] as const;

/** How long after the last remote started (or stopped) being mirrored the active hub's whole tree is read again. */
const REFRESH_DELAY_MS = 200;

export interface MirrorParts {
  instanceId: string;
  /** The fleet's sink: where a remote's own link would put what it reads. */
  sink: LinkSink;
  /** The remotes mirrored now, in the fleet's order. */
  mirrored(): readonly string[];
  /** A remote's status as the fleet holds it now: what the mirror last said of it, unless its entry changed since. */
  statusOf(remote: string): RemoteStatus | undefined;
  logger: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
}

/** The entries of an answer cut by remote: `lobby.dummy.light.1` goes to `lobby` as `dummy.light.1`. */
function byRemote<T extends readonly [string, ...unknown[]]>(entries: readonly T[], remotes: ReadonlySet<string>): Map<string, T[]> {
  const cut = new Map<string, T[]>();
  for (const entry of entries) {
    const name = entry[0];
    const dot = name.indexOf('.');
    if (dot <= 0) continue;
    const remote = name.slice(0, dot);
    if (!remotes.has(remote)) continue;
    let list = cut.get(remote);
    if (!list) cut.set(remote, (list = []));
    list.push([name.slice(dot + 1), ...entry.slice(1)] as unknown as T);
  }
  return cut;
}

/** The active hub to mirror: where it serves, the pair's key, its name for messages. */
export interface MirrorTarget {
  api: PeerApi;
  key: string;
  name: string;
  /** Why the key may not be sent there (plain HTTP to another machine): nothing is mirrored. */
  refused?: string;
}

export class PairMirror {
  private link: RemoteLink | undefined;
  private target: MirrorTarget | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** The tail of the link's restarts: one after another. */
  private restarts: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly sink: LinkSink;
  /**
   * Whether the link now open has applied an answer yet: its first answer's time comes before the
   * answer is applied, when the remotes' connections are still as the link before it left them.
   */
  private answerApplied = false;

  constructor(private readonly parts: MirrorParts) {
    this.sink = this.mirrorSink();
  }

  /** Mirrors the active hub `target`, or none (this hub is active, or the active hub has not said where it serves). */
  follow(target: MirrorTarget | undefined): void {
    if (JSON.stringify(target) === JSON.stringify(this.target)) return;
    this.target = target;
    this.restart();
  }

  /**
   * The mirrored remotes changed: the active hub's tree is read whole again once they stop
   * changing (a fleet opening its remotes one after another reads it once), or no longer read.
   */
  refresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.restart();
    }, REFRESH_DELAY_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.refreshTimer);
    this.target = undefined;
    this.restart();
    await this.restarts;
  }

  /**
   * Stops the link there is, then opens one to the target there is then, while any remote is
   * mirrored (a standby without such remotes reads nothing of the active hub). Without a target
   * to read, the mirrored remotes are offline, saying why, rather than frozen as last seen.
   */
  private restart(): void {
    const next = this.restarts.then(async () => {
      const link = this.link;
      this.link = undefined;
      await link?.stop();
      const target = this.target;
      this.answerApplied = false;
      if (this.stopped || this.parts.mirrored().length === 0) return;
      if (!target) return this.allOffline({ code: ERROR_CODES.CONNECTION_FAILED, message: 'mirrored from the active hub, which has not said where it serves its Remote I/O API' });
      if (target.refused) return this.allOffline({ code: ERROR_CODES.CONNECTION_FAILED, message: `not mirrored: ${target.refused}` });
      const url = new URL(target.api.url);
      const https = url.protocol === 'https:';
      const settings: RemoteSettings = {
        name: `the active hub ${target.name}`,
        enabled: true,
        host: hostOf(url),
        port: Number(url.port) || (https ? 443 : 80),
        tls: https ? (target.api.fingerprint ? 'pin' : 'verify') : 'http',
        fingerprint: target.api.fingerprint ?? '',
        // Everything the active hub holds, as it is: its GUI variables too, no events for the first
        // alignment (those were the active hub's), no loggers (they are in the shared store).
        options: { ...DEFAULT_REMOTE_OPTIONS, ui: true, maxanswermb: 256, maxpoints: 100_000_000 },
      };
      this.link = new RemoteLink(settings, target.key, { instanceId: this.parts.instanceId, sink: this.sink });
      this.link.start();
    });
    this.restarts = next.catch((error: unknown) => {
      this.parts.logger.warn({ err: error }, "the active hub's tree could not be mirrored");
      this.allOffline({ code: ERROR_CODES.CONNECTION_FAILED, message: `not mirrored from the active hub: ${(error as Error).message}` });
    });
  }

  /** The mirrored remotes now: a set, read once per answer. */
  private remotes(): Set<string> {
    return new Set(this.parts.mirrored());
  }

  /** Every mirrored remote offline (the active hub is not reached), saying why. */
  private allOffline(error: RemoteStatus['error']): void {
    for (const remote of this.remotes()) this.markOffline(remote, error);
  }

  /**
   * A mirrored remote offline since the first time this hub learnt so (the active hub's own time is
   * not served): kept in its status until it is online again, or its entry is disabled.
   */
  private markOffline(remote: string, error: RemoteStatus['error']): void {
    const { sink } = this.parts;
    const since = this.parts.statusOf(remote)?.offlineSince ?? Date.now();
    sink.setOnline(remote, false);
    sink.setOwnPoint(remote, 'connection', 'offline');
    sink.status(remote, { connection: 'offline', offlineSince: since, ...(error ? { error } : {}) });
  }

  private markOnline(remote: string): void {
    const { sink } = this.parts;
    sink.setOnline(remote, true);
    sink.setOwnPoint(remote, 'connection', 'online');
    sink.status(remote, { connection: 'online', error: undefined, offlineSince: undefined });
  }

  /** What the link to the active hub reports, taken apart and handed on per mirrored remote. */
  private mirrorSink(): LinkSink {
    const { sink, logger } = this.parts;
    const own = new Set<string>(OWN_POINTS);
    return {
      applyState: (active, kind, entries, how) => {
        this.answerApplied = true;
        const remotes = this.remotes();
        const cut = byRemote(entries, remotes);
        let held = 0;
        for (const remote of remotes) {
          const points: Entry[] = [];
          const ownPoints = new Map<string, string>();
          for (const [name, value] of cut.get(remote) ?? []) {
            // The active hub's own points of the remote hide a datapoint of the same name (served/hub-source.ts).
            if (kind === 'io' && own.has(name)) ownPoints.set(name, value);
            else points.push([name, value]);
          }
          held += sink.applyState(remote, kind, points, how);
          if (kind !== 'io') continue;
          for (const suffix of OWN_POINTS) {
            const value = ownPoints.get(suffix);
            if (value !== undefined) sink.setOwnPoint(remote, suffix, value);
            else if (how.full && suffix !== 'connection') sink.removeOwnPoint(remote, suffix);
          }
          // The clock offset in its status follows the point, as the remote's own link sets both.
          const delta = ownPoints.get('time.delta');
          if (delta !== undefined && Number.isFinite(Number(delta))) sink.status(remote, { clockDelta: Number(delta) });
          else if (how.full && delta === undefined) sink.status(remote, { clockDelta: undefined });
          const connection = ownPoints.get('connection') ?? (how.full ? 'offline' : undefined);
          if (connection === 'online') this.markOnline(remote);
          else if (connection !== undefined) this.markOffline(remote, { code: ERROR_CODES.REMOTE_OFFLINE, message: `${active} reports it offline` });
        }
        return held;
      },
      applyQuality: (_active, quality, how) => {
        const remotes = this.remotes();
        const cut = byRemote<QualityEntry>(quality, remotes);
        for (const remote of remotes) {
          const entries = cut.get(remote);
          if (how.full || entries) sink.applyQuality(remote, entries ?? [], how);
        }
      },
      // One answer of the active hub holds every mirrored remote's changes.
      applied: (active) => sink.applied(active),
      countNew: (_active, kind, entries) => {
        let count = 0;
        for (const [remote, list] of byRemote(entries, this.remotes())) count += sink.countNew(remote, kind, list);
        return count;
      },
      // The link's own points and clock are about the active hub, not about a mirrored remote.
      setOwnPoint: () => {},
      removeOwnPoint: () => {},
      setOnline: (_active, online) => {
        if (!online) this.allOffline(undefined);
      },
      setTopology: (_active, topology) => {
        const remotes = this.remotes();
        const devices = byRemote(topology.devices, remotes);
        const locations = byRemote(topology.locations, remotes);
        for (const remote of remotes) {
          const described: HsycoTopology = { topotime: topology.topotime, devices: devices.get(remote) ?? [], locations: locations.get(remote) ?? [] };
          sink.setTopology(remote, described);
        }
      },
      // The active hub's members are its own and every remote's, not to be told apart by remote.
      setMembers: () => {},
      status: (active, change) => {
        // An answer of the active hub: what it holds of the remotes it has online is as of then.
        if (change.lastAnswerAt !== undefined && this.answerApplied) {
          for (const remote of this.remotes()) if (this.parts.statusOf(remote)?.connection === 'online') sink.status(remote, { lastAnswerAt: change.lastAnswerAt });
        }
        if (change.connection !== 'offline' || !change.error) return;
        const error = { ...change.error, message: `mirrored from ${active}, which cannot be reached: ${change.error.message}` };
        this.allOffline(error);
      },
      polled: () => {},
      log: (level, active, message) => logger[level]({ mirror: active }, `${active}: ${message}`),
    };
  }
}
