/**
 * The one WebSocket per tab, outside React: it connects, subscribes to everything, turns snapshot
 * chunks into one store replacement, applies deltas once per animation frame, and reconnects with
 * backoff. A reconnect always starts from a fresh snapshot, so nothing stale survives it.
 */
import type { ClientMessage, Point, ServerMessage } from '@riohub/hub-api';
import { api } from '../api/http';
import { pointKey, useHub } from '../store';

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 5_000;

export class SocketClient {
  private socket: WebSocket | undefined;
  private stopped = false;
  private attempts = 0;
  private snapshot: Point[] = [];
  private pending = new Map<string, Point>();
  private frameRequested = false;
  /** The first `remotes` after connecting is the whole list. */
  private remotesListed = false;

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.socket?.close();
    this.socket = undefined;
  }

  /** Sends a write; its result comes back through the store (`writes`). */
  write(name: string, kind: 'io' | 'ui', value: string): void {
    const requestId = crypto.randomUUID();
    useHub.getState().startWrite(pointKey(kind, name), requestId, value);
    if (!this.send({ type: 'write', payload: { requestId, name, value, kind } })) {
      useHub.getState().failWrite(requestId, 'not connected to the hub');
    }
  }

  private send(message: ClientMessage): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private connect(): void {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`;
    const socket = new WebSocket(url);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.attempts = 0;
      this.snapshot = [];
      this.remotesListed = false;
      useHub.getState().setConnected(true);
      useHub.getState().setSynced(false);
      this.send({ type: 'subscribe', payload: { prefixes: [''] } });
    };
    socket.onmessage = (event) => this.receive(JSON.parse(String(event.data)) as ServerMessage);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      useHub.getState().setConnected(false);
      if (this.stopped) return;
      void this.retry(opened);
    };
  }

  private async retry(wasOpen: boolean): Promise<void> {
    // A socket refused at the door, or closed by the hub, may mean the session ended.
    if (!wasOpen || this.attempts > 0) {
      const session = await api('GET', '/api/session');
      if (!session.ok && session.error.code === 'unauthenticated') {
        useHub.getState().setUser(null);
        return;
      }
    }
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.attempts++);
    setTimeout(() => {
      if (!this.stopped) this.connect();
    }, delay);
  }

  private receive(message: ServerMessage): void {
    const store = useHub.getState();
    switch (message.type) {
      case 'snapshot':
        this.snapshot.push(...message.payload.points);
        if (message.payload.last) {
          store.replacePoints(this.snapshot);
          this.snapshot = [];
          this.pending.clear();
          store.setSynced(true);
          void loadTopology();
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
      case 'remotes': {
        const known = new Set(store.remotes.map((remote) => remote.name));
        if (this.remotesListed) store.mergeRemotes(message.payload.remotes);
        else store.setRemotes(message.payload.remotes);
        this.remotesListed = true;
        if (message.payload.remotes.some((remote) => !known.has(remote.name))) void loadTopology();
        return;
      }
      case 'loggers':
        store.setLoggers(message.payload.loggers);
        return;
      case 'storage':
        store.setStorage(message.payload);
        return;
      case 'write-result': {
        const { result, requestId } = message.payload;
        if (!result.ok) return store.failWrite(requestId, result.error.message);
        // A value written that the point already had brings no change back: nothing to wait for.
        const key = pointKey(result.data.kind, result.data.name);
        if (store.points.get(key)?.value === result.data.newValue) store.settleWrite(key);
        return;
      }
      case 'write-confirmed':
        store.settleWrite(pointKey(message.payload.record.kind, message.payload.record.name));
        return;
      case 'error':
        return;
    }
  }

  /** Deltas are applied together, once per frame, however many arrive. */
  private scheduleFlush(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      const points = [...this.pending.values()];
      this.pending.clear();
      const store = useHub.getState();
      store.applyPoints(points);
      for (const point of points) {
        const key = pointKey(point.kind, point.name);
        if (store.writes[key]?.value === point.value) store.settleWrite(key);
      }
    });
  }
}

/** The merged topology: which control each device gets. */
export async function loadTopology(): Promise<void> {
  const result = await api<{ name: string; params: string[] }[]>('GET', '/api/topology');
  if (result.ok) useHub.getState().setDevices(new Map(result.data.map((device) => [device.name, device.params])));
}

export const socketClient = new SocketClient();
