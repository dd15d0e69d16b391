/**
 * The one WebSocket per tab, outside React: it connects, subscribes to everything, turns snapshot
 * chunks into one store replacement, applies deltas once per animation frame, keeps the topology
 * the hub pushes, and reconnects with backoff. A reconnect always starts from a fresh snapshot, so
 * nothing stale survives it. What it needs of its surroundings (the socket, the session check,
 * frames) is a transport, so tests run it in Node against a real hub.
 */
import { routeUrl, type ClientMessage, type Point, type ServerMessage, type WriteRecord } from '@riohub/hub-api';
import { call } from '../api/http';
import { pointKey, SnapshotPoints, useHub, type HubStore } from '../store';

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 5_000;
/** `WebSocket.OPEN`, which the `ws` package and browsers share. */
const OPEN = 1;

/** What the client uses of a WebSocket: the browser's, or in Node the `ws` package's. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface SocketTransport {
  /** Opens a socket to the hub's `/api/ws`. */
  open(): SocketLike;
  /** Whether the session has ended (`GET /api/session` answers `unauthenticated`); may reject when the hub is unreachable. */
  sessionEnded(): Promise<boolean>;
  /** Runs `flush` once before the next frame is drawn. */
  nextFrame(flush: () => void): void;
  newRequestId(): string;
}

export const browserTransport: SocketTransport = {
  open: () => new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${routeUrl('live')}`) as SocketLike,
  async sessionEnded() {
    const session = await call('session');
    return !session.ok && session.error.code === 'unauthenticated';
  },
  nextFrame: (flush) => void requestAnimationFrame(flush),
  newRequestId: () => crypto.randomUUID(),
};

export class SocketClient {
  private socket: SocketLike | undefined;
  private stopped = false;
  private attempts = 0;
  private snapshot = new SnapshotPoints();
  private pending = new Map<string, Point>();
  private frameRequested = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The first `remotes` after connecting is the whole list. */
  private remotesListed = false;

  constructor(
    private readonly store: HubStore,
    private readonly transport: SocketTransport,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.close();
    this.socket = undefined;
  }

  /** Sends a write; its result comes back through the store (`writes`). */
  write(name: string, kind: WriteRecord['kind'], value: string): void {
    const requestId = this.transport.newRequestId();
    this.store.getState().startWrite(pointKey(kind, name), requestId, value);
    if (!this.send({ type: 'write', payload: { requestId, name, value, kind } })) {
      this.store.getState().failWrite(requestId, 'not connected to the hub');
    }
  }

  private send(message: ClientMessage): boolean {
    if (this.socket?.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private connect(): void {
    const socket = this.transport.open();
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.attempts = 0;
      this.snapshot = new SnapshotPoints();
      this.remotesListed = false;
      this.store.getState().setConnected(true);
      this.store.getState().setSynced(false);
      this.send({ type: 'subscribe', payload: { prefixes: [''] } });
    };
    socket.onmessage = (event) => {
      if (this.socket === socket) this.receive(JSON.parse(String(event.data)) as ServerMessage);
    };
    // A failed connection or a broken socket is always followed by `close`, which retries.
    socket.onerror = () => undefined;
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.store.getState().setConnected(false);
      if (this.stopped) return;
      void this.retry(opened);
    };
  }

  private async retry(wasOpen: boolean): Promise<void> {
    // A socket refused at the door, or closed by the hub, may mean the session ended. A hub that
    // does not answer at all has not ended it: try again.
    if ((!wasOpen || this.attempts > 0) && (await this.transport.sessionEnded().catch(() => false))) {
      this.store.getState().setUser(null);
      return;
    }
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.attempts++);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.connect();
    }, delay);
  }

  private receive(message: ServerMessage): void {
    const store = this.store.getState();
    switch (message.type) {
      case 'snapshot':
        this.snapshot.add(message.payload.points);
        if (message.payload.last) {
          store.replacePoints(this.snapshot);
          this.snapshot = new SnapshotPoints();
          this.pending.clear();
          store.setSynced(true);
        }
        return;
      case 'delta':
        for (const point of message.payload.points) this.pending.set(pointKey(point.kind, point.name), point);
        this.scheduleFlush();
        return;
      case 'removed':
        store.removePoints(message.payload.points);
        return;
      case 'remote-deleted':
        store.removeRemote(message.payload.name);
        return;
      case 'remotes':
        if (this.remotesListed) store.mergeRemotes(message.payload.remotes);
        else store.setRemotes(message.payload.remotes);
        this.remotesListed = true;
        return;
      case 'topology':
        store.setDevices(new Map(message.payload.devices.map((device) => [device.name, device.params])));
        return;
      case 'loggers':
        store.setLoggers(message.payload.loggers);
        return;
      case 'storage':
        store.setStorage(message.payload);
        return;
      case 'pair':
        store.setPair(message.payload);
        return;
      case 'write-result': {
        const { result, requestId } = message.payload;
        if (!result.ok) return store.failWrite(requestId, result.error.message);
        // A value written that the point already had brings no change back: nothing to wait for.
        const key = pointKey(result.data.kind, result.data.name);
        if (store.points.get(key)?.value === result.data.newValue) store.settleWrite(key);
        return;
      }
      case 'write-confirmed': {
        const { record } = message.payload;
        store.confirmWrite(pointKey(record.kind, record.name), record.newValue);
        return;
      }
      case 'user':
        store.setUser(message.payload.user);
        return;
      case 'error':
        return;
    }
  }

  /** Deltas are applied together, once per frame, however many arrive. */
  private scheduleFlush(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    this.transport.nextFrame(() => {
      this.frameRequested = false;
      const points = [...this.pending.values()];
      this.pending.clear();
      const store = this.store.getState();
      store.applyPoints(points);
      for (const point of points) {
        const key = pointKey(point.kind, point.name);
        if (store.writes[key]?.value === point.value) store.settleWrite(key);
      }
    });
  }
}

export const socketClient = new SocketClient(useHub, browserTransport);
