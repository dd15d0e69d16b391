/**
 * The simulated HSYCO server behind the API: its datapoints and GUI variables, what writes do to
 * them (shutters travel, labels follow the lights), spontaneous changes at a set rate, the SYSTEM
 * clock, the data loggers, and datapoints marked stale (`--stale`) as a concentrator serves those
 * of a server it cannot reach.
 */
import { compileNameFilter, type HsycoTopology, type LoggerInfo, type LogPage, type Write, type WriteResult } from '@riohub/protocol';
import { ChangeStore, type Kind, type RioSource } from '@riohub/rio-server';
import type { SimConfig } from './config';
import { SAMPLE_INTERVAL_MS, type DataLogger } from './data-loggers';
import { buildDatapoints, positionOf, refusal, type Datapoint, type DeviceKind } from './devices';

/** How often shutters move, and by how much: a full travel takes five seconds. */
const SHUTTER_TICK_MS = 500;
const SHUTTER_STEP = 10;
/**
 * How often spontaneous changes are made: a few at a time, spread evenly as a real site's arrive.
 * (Every 100 ms in bursts, a write landing during a burst waited behind it, and latency benches
 * measured the bursts, not the hub.)
 */
const CHANGE_TICK_MS = 5;
/**
 * The changes are made for the time that passed, not per tick: a tick that comes late (a busy
 * machine) makes up for what it missed, so the rate asked is the rate made. At most this much is
 * made up at once, after a stall.
 */
const MAX_CATCH_UP_MS = 100;

type Direction = 'up' | 'down';

export class Simulation implements RioSource {
  readonly store = new ChangeStore();
  readonly systemClock: (() => number) | undefined;
  private readonly points = new Map<string, Datapoint>();
  private readonly topologySnapshot: HsycoTopology;
  private readonly changeable: Datapoint[];
  private readonly moving = new Map<string, Direction>();
  private readonly timers: NodeJS.Timeout[] = [];
  private clockOffsetMs: number;
  private lightsOn = 0;
  private changeBudget = 0;
  /** When the last spontaneous changes were made (performance.now()). */
  private changedUntil = 0;
  /** The datapoints `--stale` names: stale from the start, flipped by `flipStale()`. */
  private readonly staleCandidates: string[];

  constructor(
    private readonly config: SimConfig,
    private readonly instanceId: string,
    private readonly dataLoggers: readonly DataLogger[],
  ) {
    this.clockOffsetMs = Math.round(config.clockOffsetSeconds * 1000);
    this.systemClock = config.system ? () => Date.now() + this.clockOffsetMs : undefined;
    for (const point of buildDatapoints(config)) {
      this.points.set(point.name, point);
      this.store.set('io', point.name, point.initial);
    }
    if (this.systemClock) {
      this.points.set('system.time', { name: 'system.time', kind: 'clock', initial: '' });
      this.store.set('io', 'system.time', String(this.systemClock()));
    }
    this.changeable = [...this.points.values()].filter((p) => ['light', 'dimmer', 'sensor'].includes(p.kind));
    this.store.set('ui', 'status.text', `Welcome to ${config.name}`);
    this.store.set('ui', 'status.visible', 'true');
    this.store.set('ui', 'alarm.visible', 'false');
    this.updateLabels();
    const stale = config.stale === '' ? () => false : compileNameFilter(config.stale);
    this.staleCandidates = [...this.points.keys()].filter(stale);
    for (const name of this.staleCandidates) this.store.setQuality(name, 'stale');
    this.topologySnapshot = {
      topotime: Date.now(),
      locations: [['gf', 'GROUND FLOOR'], ['1p', 'FIRST FLOOR']],
      devices: [...this.points.values()].flatMap((p) => (p.topology ? [[p.name, p.topology] as const] : [])),
    };
  }

  start(): void {
    this.timers.push(setInterval(() => this.moveShutters(), SHUTTER_TICK_MS));
    if (this.config.changesPerSecond > 0 && this.changeable.length > 0) {
      this.changedUntil = performance.now();
      this.timers.push(setInterval(() => this.changeSpontaneously(), CHANGE_TICK_MS));
    }
    const now = Date.now();
    for (const logger of this.dataLoggers) {
      logger.backfill(now);
      logger.sample(now);
    }
    this.timers.push(setInterval(() => this.dataLoggers.forEach((l) => l.sample(Date.now())), SAMPLE_INTERVAL_MS));
  }

  stop(): void {
    this.timers.forEach(clearInterval);
    this.timers.length = 0;
  }

  topology(): HsycoTopology {
    return this.topologySnapshot;
  }

  topotime(): number {
    return this.topologySnapshot.topotime;
  }

  members(): readonly string[] {
    return [this.instanceId, ...this.config.members];
  }

  loggers(): readonly LoggerInfo[] {
    return this.dataLoggers.map((logger) => logger.info);
  }

  readLog(id: string, after: number, limit: number): LogPage | undefined {
    return this.dataLoggers.find((logger) => logger.info.id === id)?.read(after, limit);
  }

  /** Flips the `--stale` datapoints between stale and ok, as their server going away or coming back. */
  flipStale(): void {
    for (const name of this.staleCandidates) this.store.setQuality(name, this.store.quality(name) === 'stale' ? 'ok' : 'stale');
  }

  write(kind: Kind, writes: readonly Write[]): WriteResult {
    if (kind === 'io') {
      // As a concentrator answers for a datapoint whose server it cannot reach: nothing is applied.
      const stale = writes.map(([name]) => name).filter((name) => this.store.quality(name) === 'stale');
      if (stale.length > 0) {
        const reason = 'stale: the server that owns it is unreachable';
        return { ok: false, error: 'not applied', names: stale, reasons: Object.fromEntries(stale.map((name) => [name, reason])) };
      }
      // All or nothing: every value is checked before the first is applied.
      for (const [name, value] of writes) {
        const reason = refusal(this.kindOf(name), value);
        if (reason) return { ok: false, error: `${name}: ${reason}` };
      }
    }
    for (const [name, value] of writes) {
      if (kind === 'ui') this.store.set('ui', name, value);
      else this.apply(name, value);
    }
    return { ok: true };
  }

  private kindOf(name: string): DeviceKind {
    const point = this.points.get(name);
    if (!point) throw new Error(`no datapoint ${name}`);
    return point.kind;
  }

  private apply(name: string, value: string): void {
    const kind = this.kindOf(name);
    const before = this.store.get('io', name);
    if (kind === 'clock') this.clockOffsetMs = Number(value) - Date.now();
    if (!this.store.set('io', name, value)) return;
    if (kind === 'shutter') {
      if (value === 'stop') this.moving.delete(name);
      else this.moving.set(name, value as Direction);
      this.updateLabels();
    }
    if (kind === 'light' || kind === 'dimmer') {
      this.lightsOn += (isLit(value) ? 1 : 0) - (before !== undefined && isLit(before) ? 1 : 0);
      this.updateLabels();
    }
  }

  private moveShutters(): void {
    for (const [shutter, direction] of this.moving) {
      const position = Number(this.store.get('io', positionOf(shutter)));
      const target = direction === 'up' ? 100 : 0;
      if (position === target) {
        this.apply(shutter, 'stop');
        continue;
      }
      const next = direction === 'up' ? Math.min(100, position + SHUTTER_STEP) : Math.max(0, position - SHUTTER_STEP);
      this.store.set('io', positionOf(shutter), String(next));
    }
  }

  private changeSpontaneously(): void {
    const now = performance.now();
    this.changeBudget += (this.config.changesPerSecond * Math.min(now - this.changedUntil, MAX_CATCH_UP_MS)) / 1000;
    this.changedUntil = now;
    const count = Math.floor(this.changeBudget);
    this.changeBudget -= count;
    for (let i = 0; i < count; i++) {
      const point = this.changeable[Math.floor(Math.random() * this.changeable.length)] as Datapoint;
      const current = this.store.get('io', point.name) ?? point.initial;
      this.apply(point.name, nextSpontaneousValue(point.kind, current));
    }
  }

  private updateLabels(): void {
    this.store.set('ui', 'lights.text', `${this.lightsOn} ${this.lightsOn === 1 ? 'light' : 'lights'} on`);
    this.store.set('ui', 'shutters.text', `${this.moving.size} moving`);
  }
}

function isLit(value: string): boolean {
  return value !== '0';
}

function nextSpontaneousValue(kind: DeviceKind, current: string): string {
  switch (kind) {
    case 'light':
      return current === '1' ? '0' : '1';
    case 'dimmer':
      return String((Number(current) + 1 + Math.floor(Math.random() * 100)) % 101);
    default: {
      // A sensor drifts by a tenth of a degree, kept within a plausible indoor range.
      const drift = Math.random() < 0.5 ? -0.1 : 0.1;
      return Math.min(35, Math.max(10, Number(current) + drift)).toFixed(1);
    }
  }
}
