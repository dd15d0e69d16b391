/**
 * The hub's Prometheus metrics (`GET /metrics`), in a registry of its own (two hubs in one test
 * process keep theirs apart). What happens is counted as it happens, from the hub's events (a
 * counter increment or a histogram observation per event, nothing more on the hot path); what is
 * (a remote up, its points, its clock, the browsers connected, a logger's lag) is read when
 * Prometheus scrapes.
 */
import type { WriteStatus } from '@riohub/hub-api';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Hub } from '../hub';

/** The outcomes a write is counted under: what the write log says of it once it is settled. */
export const WRITE_OUTCOMES = ['applied', 'refused', 'failed'] as const satisfies readonly WriteStatus[];
export type WriteOutcome = (typeof WRITE_OUTCOMES)[number];

/**
 * Buckets of a poll's round trip, in seconds: an answer at once (a full state, a change waiting)
 * takes milliseconds, a held poll up to the remote's 10-second hold, a poll that times out 13 s.
 */
const POLL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];

export interface MetricSources {
  hub: Hub;
  /** How many browsers hold the live WebSocket open now. */
  liveClients(): number;
}

export class HubMetrics {
  readonly registry = new Registry();
  private readonly unsubscribe: (() => void)[] = [];

  constructor({ hub, liveClients }: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    new Gauge({
      name: 'riohub_active',
      help: "Whether this hub acts (polls, replicates loggers, sends writes): 1 active, 0 standby. On PostgreSQL it is elected among the hubs sharing the database; on SQLite it is the role set by hand.",
      registers,
      collect() {
        this.set(hub.pair ? (hub.pair.active ? 1 : 0) : hub.role === 'active' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'riohub_remote_up',
      help: 'Whether the remote answers its polls: 1 online, 0 otherwise (offline, disabled, inactive).',
      labelNames: ['remote'],
      registers,
      collect() {
        this.reset();
        for (const remote of hub.remotes()) this.set({ remote: remote.name }, remote.status.connection === 'online' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'riohub_remote_points',
      help: "The remote's datapoints and GUI variables held by the hub.",
      labelNames: ['remote'],
      registers,
      collect() {
        this.reset();
        for (const remote of hub.remotes()) this.set({ remote: remote.name }, remote.status.points);
      },
    });
    new Gauge({
      name: 'riohub_remote_clock_delta_seconds',
      help: "The remote's SYSTEM clock minus the hub's, as last measured (remotes with a clock only).",
      labelNames: ['remote'],
      registers,
      collect() {
        this.reset();
        for (const remote of hub.remotes()) {
          if (remote.status.clockDelta !== undefined) this.set({ remote: remote.name }, remote.status.clockDelta);
        }
      },
    });
    const changes = new Counter({
      name: 'riohub_remote_changes_total',
      help: "Values of the remote's datapoints and GUI variables that changed in the hub's tree, from its answers.",
      labelNames: ['remote'],
      registers,
    });
    const polls = new Histogram({
      name: 'riohub_remote_poll_seconds',
      help: "Round trip of each of the remote's answered polls (rioget), from sending it to its whole answer; held polls included.",
      labelNames: ['remote'],
      buckets: POLL_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'riohub_ws_clients',
      help: 'Browsers (and scripts) holding the live WebSocket open.',
      registers,
      collect() {
        this.set(liveClients());
      },
    });
    const writes = new Counter({
      name: 'riohub_writes_total',
      help: "Writes settled in the write log (operators' and the hub's own Remote I/O API's), by outcome.",
      labelNames: ['outcome'],
      registers,
    });
    // Every outcome is there from the start, so that a rate over it is defined before the first write.
    for (const outcome of WRITE_OUTCOMES) writes.inc({ outcome }, 0);
    new Gauge({
      name: 'riohub_logger_lag_seconds',
      help: "How far the logger's replicated history trails the hub's clock: now minus its last sample's time.",
      labelNames: ['logger'],
      registers,
      async collect() {
        const now = Date.now();
        const lags: [string, number][] = [];
        for (const logger of await hub.loggers.store.list()) {
          const last = await hub.loggers.store.lastSample(logger.id);
          if (last) lags.push([logger.id, Math.max(0, now - last[0]) / 1000]);
        }
        // Emptied once read, so that a scrape never sees the loggers half set.
        this.reset();
        for (const [logger, lag] of lags) this.set({ logger }, lag);
      },
    });
    const samples = new Counter({
      name: 'riohub_logger_samples_total',
      help: 'Samples replicated and stored for the logger since the hub started.',
      labelNames: ['logger'],
      registers,
    });

    this.unsubscribe.push(
      hub.listen({
        polled: (remote, seconds) => polls.observe({ remote }, seconds),
        changed: (remote, count) => changes.inc({ remote }, count),
        written: (outcome, count) => writes.inc({ outcome }, count),
        // A deleted remote's series end with it rather than stay at their last value.
        deleted: (remote) => {
          polls.remove({ remote });
          changes.remove({ remote });
        },
      }),
      hub.loggers.onStored((logger, count) => samples.inc({ logger }, count)),
    );
  }

  /** The metrics in Prometheus' text format, and its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  close(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    this.registry.clear();
  }
}
