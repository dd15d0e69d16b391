/**
 * A TCP proxy on loopback that breaks the connection between a client and its upstream on
 * command: blackhole, reset or clean close mid-answer, garbage or an oversized answer instead of
 * the upstream's, or a trickle. With `tls`, it terminates TLS with the upstream's own certificate
 * and key and speaks TLS to the upstream, so a client that pins that certificate sees the same
 * server, and the faults act on the HTTP bytes inside: the real HTTPS link is what is tested.
 */
import net from 'node:net';
import tls from 'node:tls';

export type FaultMode =
  /** Forward both ways. */
  | { kind: 'pass' }
  /** Accept and read, never answer: new connections never complete even the TLS handshake. */
  | { kind: 'blackhole' }
  /** Forward `afterBytes` bytes of the upstream's answer, then a TCP reset. */
  | { kind: 'reset'; afterBytes: number }
  /** Forward `afterBytes` bytes of the upstream's answer, then close cleanly (TLS close_notify, FIN). */
  | { kind: 'truncate'; afterBytes: number }
  /** Answer every request with `HTTP/1.1 200` and a junk body, without asking the upstream. */
  | { kind: 'garbage'; body?: string }
  /**
   * Answer every request with a valid 200 JSON state of exactly `bytes` bytes, without the
   * upstream; `chunked`: with no length announced, as a server streaming a state of unknown size
   * does, so that only counting the bytes as they come can stop it.
   */
  | { kind: 'oversized'; bytes: number; chunked?: boolean }
  /** Forward the upstream's answer `bytesPerTick` bytes every `intervalMs`. */
  | { kind: 'trickle'; bytesPerTick: number; intervalMs: number };

export interface FaultProxyOptions {
  upstreamPort: number;
  upstreamHost?: string;
  /** Terminate TLS with the upstream's own certificate and key, and trust exactly that certificate upstream. */
  tls?: { cert: string; key: string };
}

const DEFAULT_GARBAGE = '<html>\u0000\u00ff not json {"hsycostate": ]]]';
/** Oversized answers are written in pieces this size, so the proxy never holds the whole body. */
const PIECE_BYTES = 64 * 1024;
/** Values of an oversized answer's datapoints: many large values rather than millions of names. */
const OVERSIZED_VALUE_BYTES = 1024 * 1024;

export class FaultProxy {
  private current: FaultMode = { kind: 'pass' };
  private readonly connections = new Set<ProxiedConnection>();
  private readonly secureContext: tls.SecureContext | undefined;
  /** Connections accepted so far. */
  accepted = 0;

  private constructor(
    private readonly server: net.Server,
    readonly options: FaultProxyOptions,
  ) {
    this.secureContext = options.tls ? tls.createSecureContext({ cert: options.tls.cert, key: options.tls.key }) : undefined;
    server.on('connection', (raw) => this.accept(raw));
  }

  /** Listens on a free port of 127.0.0.1, in `pass` mode. */
  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = net.createServer();
    const proxy = new FaultProxy(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Where a client connects, e.g. `https://127.0.0.1:41234`. */
  get url(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  get mode(): FaultMode {
    return this.current;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /** Applies to new connections, and to open ones wherever the fault makes sense mid-stream. */
  setMode(mode: FaultMode): void {
    this.current = mode;
    for (const connection of this.connections) connection.apply(mode);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) connection.destroy();
    await closed;
  }

  private accept(raw: net.Socket): void {
    this.accepted++;
    const connection = new ProxiedConnection(raw, this.current, this.options, this.secureContext, () => this.connections.delete(connection));
    this.connections.add(connection);
  }
}

/** One client connection and, while it forwards, its own connection to the upstream. */
class ProxiedConnection {
  private front: net.Socket | undefined;
  private upstream: net.Socket | undefined;
  private mode: FaultMode;
  /** Bytes of the upstream's answer forwarded since the current mode applied. */
  private forwarded = 0;
  private readonly trickle: Buffer[] = [];
  private trickleTimer: NodeJS.Timeout | undefined;
  private upstreamEnded = false;
  private request = '';
  private done = false;

  constructor(
    private readonly raw: net.Socket,
    mode: FaultMode,
    private readonly options: FaultProxyOptions,
    private readonly secureContext: tls.SecureContext | undefined,
    private readonly onClose: () => void,
  ) {
    this.mode = mode;
    raw.on('error', () => this.destroy());
    raw.on('close', () => this.destroy());
    if (mode.kind === 'blackhole') {
      // Read and drop whatever comes, the TLS handshake included: the peer hears nothing at all.
      raw.on('data', () => {});
      return;
    }
    const front = secureContext ? new tls.TLSSocket(raw, { isServer: true, secureContext }) : raw;
    this.front = front;
    front.on('error', () => this.destroy());
    front.on('data', (chunk: Buffer) => this.fromClient(chunk));
    front.on('end', () => this.upstream?.end());
    if (!isLocalAnswer(mode)) this.connectUpstream();
  }

  apply(mode: FaultMode): void {
    if (this.done) return;
    const previous = this.mode;
    this.mode = mode;
    this.forwarded = 0;
    // Never past the handshake, or answering on its own: nothing sensible to resume.
    if (!this.front || (isLocalAnswer(previous) && !isLocalAnswer(mode))) return this.destroy();
    if (isLocalAnswer(mode)) {
      this.upstream?.destroy();
      this.upstream = undefined;
      // Whatever is in flight on this connection now gets the fault's answer.
      if (!isLocalAnswer(previous)) this.answerLocally();
      return;
    }
    if (mode.kind === 'blackhole') {
      this.trickle.length = 0;
      this.stopTrickle();
      return;
    }
    const queued = this.trickle.splice(0);
    this.stopTrickle();
    for (const chunk of queued) this.fromUpstream(chunk);
    if (this.upstreamEnded && this.trickle.length === 0) this.front.end();
  }

  destroy(): void {
    if (this.done) return;
    this.done = true;
    this.stopTrickle();
    this.upstream?.destroy();
    this.front?.destroy();
    this.raw.destroy();
    this.onClose();
  }

  private connectUpstream(): void {
    const host = this.options.upstreamHost ?? '127.0.0.1';
    const port = this.options.upstreamPort;
    const upstream = this.options.tls ? tls.connect({ host, port, ca: this.options.tls.cert }) : net.connect({ host, port });
    this.upstream = upstream;
    upstream.on('data', (chunk: Buffer) => this.fromUpstream(chunk));
    upstream.on('end', () => {
      this.upstreamEnded = true;
      if (this.trickle.length === 0 && this.mode.kind !== 'blackhole') this.front?.end();
    });
    // The upstream went away abruptly (killed): so does the client's connection.
    upstream.on('error', () => this.destroy());
    upstream.on('close', () => {
      if (!this.upstreamEnded && this.upstream === upstream) this.destroy();
    });
  }

  private fromClient(chunk: Buffer): void {
    if (this.mode.kind === 'blackhole') return;
    if (isLocalAnswer(this.mode)) {
      this.request += chunk.toString('latin1');
      if (this.request.includes('\r\n\r\n')) this.answerLocally();
      return;
    }
    this.upstream?.write(chunk);
  }

  private fromUpstream(chunk: Buffer): void {
    const front = this.front;
    if (!front || this.done) return;
    const mode = this.mode;
    switch (mode.kind) {
      case 'pass':
        if (!front.write(chunk)) {
          this.upstream?.pause();
          front.once('drain', () => this.upstream?.resume());
        }
        return;
      case 'blackhole':
        return;
      case 'reset':
      case 'truncate': {
        const left = mode.afterBytes - this.forwarded;
        if (chunk.length < left) {
          this.forwarded += chunk.length;
          front.write(chunk);
          return;
        }
        this.upstream?.destroy();
        this.upstream = undefined;
        const cut = () => (mode.kind === 'reset' ? this.reset() : front.end());
        if (left > 0) front.write(chunk.subarray(0, left), () => setTimeout(cut, 20));
        else cut();
        this.forwarded = mode.afterBytes;
        return;
      }
      case 'trickle':
        this.trickle.push(chunk);
        this.startTrickle(mode);
        return;
      default:
        return;
    }
  }

  private startTrickle(mode: Extract<FaultMode, { kind: 'trickle' }>): void {
    if (this.trickleTimer) return;
    this.trickleTimer = setInterval(() => {
      let budget = mode.bytesPerTick;
      while (budget > 0 && this.trickle.length > 0) {
        const head = this.trickle[0] as Buffer;
        const piece = head.subarray(0, budget);
        budget -= piece.length;
        if (piece.length === head.length) this.trickle.shift();
        else this.trickle[0] = head.subarray(piece.length);
        this.front?.write(piece);
      }
      if (this.trickle.length === 0) {
        this.stopTrickle();
        if (this.upstreamEnded) this.front?.end();
      }
    }, mode.intervalMs);
  }

  private stopTrickle(): void {
    clearInterval(this.trickleTimer);
    this.trickleTimer = undefined;
  }

  /** A TCP reset under the TLS layer, if any: the peer gets ECONNRESET, not a close. */
  private reset(): void {
    if (this.done) return;
    this.done = true;
    this.stopTrickle();
    this.upstream?.destroy();
    this.raw.resetAndDestroy();
    this.onClose();
  }

  private answerLocally(): void {
    const front = this.front;
    const mode = this.mode;
    if (!front || this.done || (mode.kind !== 'garbage' && mode.kind !== 'oversized')) return;
    this.request = '';
    if (mode.kind === 'garbage') {
      const body = Buffer.from(mode.body ?? DEFAULT_GARBAGE, 'utf8');
      front.write(answerHead('text/plain', body.length));
      front.end(body);
      return;
    }
    if (mode.chunked) {
      front.write('HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n');
      void writeAll(front, asChunks(oversizedState(mode.bytes))).then(() => front.end('0\r\n\r\n'), () => this.destroy());
      return;
    }
    front.write(answerHead('application/json; charset=utf-8', mode.bytes));
    void writeAll(front, oversizedState(mode.bytes)).then(() => front.end(), () => this.destroy());
  }
}

function isLocalAnswer(mode: FaultMode): boolean {
  return mode.kind === 'garbage' || mode.kind === 'oversized';
}

/** HTTP/1.1 chunked framing of each piece. */
function* asChunks(pieces: Iterable<string>): Generator<string> {
  for (const piece of pieces) {
    const length = Buffer.byteLength(piece);
    if (length > 0) yield `${length.toString(16)}\r\n${piece}\r\n`;
  }
}

function answerHead(contentType: string, length: number): string {
  return `HTTP/1.1 200 OK\r\ncontent-type: ${contentType}\r\ncontent-length: ${length}\r\nconnection: close\r\n\r\n`;
}

/** Writes every piece, waiting for the socket to drain; rejects when it closes first. */
async function writeAll(socket: net.Socket, pieces: Iterable<string>): Promise<void> {
  for (const piece of pieces) {
    if (socket.destroyed) throw new Error('closed');
    if (!socket.write(piece)) {
      await new Promise<void>((resolve, reject) => {
        const closed = () => reject(new Error('closed'));
        socket.once('close', closed);
        socket.once('drain', () => {
          socket.off('close', closed);
          resolve();
        });
      });
    }
  }
}

/**
 * A valid `rioget` answer of exactly `bytes` bytes (ASCII), in pieces: datapoints
 * `oversized.N` with large values, then spaces to make up the exact length.
 */
export function* oversizedState(bytes: number): Generator<string> {
  const head = `{"hsycostate":{"timestamp":${Date.now() * 1000},"topotime":1,"io":{`;
  const tail = '}}}';
  if (bytes < head.length + tail.length) throw new Error(`an oversized answer needs at least ${head.length + tail.length} bytes`);
  yield head;
  let left = bytes - head.length - tail.length;
  for (let index = 0; ; index++) {
    const open = `${index > 0 ? ',' : ''}"oversized.${index}":"`;
    const room = left - open.length - 1;
    if (room < 1) break;
    const valueBytes = Math.min(OVERSIZED_VALUE_BYTES, room);
    yield open;
    for (let written = 0; written < valueBytes; written += PIECE_BYTES) yield 'x'.repeat(Math.min(PIECE_BYTES, valueBytes - written));
    yield '"';
    left -= open.length + valueBytes + 1;
  }
  // JSON allows whitespace between tokens: the few bytes no datapoint fits in.
  if (left > 0) yield ' '.repeat(left);
  yield tail;
}
