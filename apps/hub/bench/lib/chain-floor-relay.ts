// The bare chain's relay (lib/chain-floor.ts), in a process of its own as the hub is: the hub's
// hops with nothing of its own. `tsx chain-floor-relay.ts <sources as JSON>`: long-polls each
// source with undici (one Agent, trusting their certificates, requests dispatched as the hub's
// are), and sends every answer's points to every client of a WebSocket server on 127.0.0.1 (plain
// HTTP, as the bench's hub serves), shaped as the hub's deltas are. Prints `{ port }` once it has
// read every source's full state; on SIGTERM, when each probe was read and sent on, and its
// turnaround after each answer, and exits. A source marked `streamed` is read in one request whose
// answer stays open, a state a line (chain-floor-source.ts), instead of long-polled.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { WebSocketServer } from 'ws';
import { now } from './measure';
import { observePollTurnarounds } from './poll-turnarounds.mjs';

export interface ChainSource {
  /** The prefix of its points, as a remote's name is the hub's. */
  name: string;
  url: string;
  password: string;
  /** The file holding its certificate's PEM. */
  certificate: string;
  /** Read as a stream (the bench's own form, not the Remote I/O API's), not long-polled. */
  streamed?: boolean;
}

interface Answer {
  hsycostate: { timestamp: number; io?: Record<string, string> };
}

const sources = JSON.parse(process.argv[2] as string) as ChainSource[];
const dispatcher = new Agent({ connect: { ca: sources.map((source) => readFileSync(source.certificate, 'utf8')) } });
const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise<void>((resolve) => server.once('listening', resolve));

/**
 * One request, its body as text: undici's dispatch with the least of handlers (no URL parsed, no
 * body stream, as the hub's links read), so that the floor is not undici's `request()`.
 */
function get(origin: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    dispatcher.dispatch(
      { origin, path, method: 'GET' },
      {
        // undici takes a handler for its current interface by this method, even when it does nothing.
        onRequestStart: () => undefined,
        onResponseData: (_controller, chunk) => void chunks.push(chunk),
        onResponseEnd: () => resolve(Buffer.concat(chunks).toString('utf8')),
        onResponseError: (_controller, error) => reject(error),
      },
    );
  });
}

/** The probe's name at a source (chain-floor-source.ts). */
const PROBE = 'virtual.1';
/** Each probe relayed: its value, when its answer was read whole, and when its delta was sent (`now`, after the write). */
const probes: [value: string, read: number, sent: number][] = [];

/**
 * The relay's turnaround, measured as the hub's recorder measures the hub's (trace-recorder.mjs):
 * each answer read whole by undici → the next poll of the same source written, in ms, with when it
 * was written.
 */
const turnarounds: [written: number, ms: number][] = [];
observePollTurnarounds(now, (written, ms) => turnarounds.push([written, ms]));

/** An answer's points sent to every client; returns the answer's timestamp. */
function relay(source: ChainSource, text: string, read: number): number {
  const state = (JSON.parse(text) as Answer).hsycostate;
  // One time for the whole answer, as the hub stamps the points it applies together.
  const changedAt = Date.now();
  const points = Object.entries(state.io ?? {}).map(([name, value]) => ({ name: `${source.name}.${name}`, kind: 'io', value, changedAt, remote: source.name, state: 'ok' }));
  if (points.length > 0) {
    const message = JSON.stringify({ type: 'delta', payload: { points } });
    for (const client of server.clients) client.send(message);
    const probe = state.io?.[PROBE];
    if (probe !== undefined) probes.push([probe, read, now()]);
  }
  return state.timestamp;
}

/** One poll, its answer's points sent to every client; resolves with the answer's timestamp. */
async function poll(source: ChainSource, timestamp: number): Promise<number> {
  const text = await get(source.url, `/x/rioget?1*${timestamp}*${source.password}`);
  return relay(source, text, now());
}

/** Reads `source` as a stream from `timestamp`, each line relayed as it is read whole; fails if the source ends it (it is stopped after the relay). */
function stream(source: ChainSource, timestamp: number): Promise<never> {
  return new Promise((_resolve, reject) => {
    let pending = '';
    // A chunk may end inside a character: the decoder keeps its first bytes for the next.
    const decoder = new TextDecoder();
    dispatcher.dispatch(
      { origin: source.url, path: `/x/rioget?1*${timestamp}*${source.password}*stream`, method: 'GET', bodyTimeout: 0 },
      {
        onRequestStart: () => undefined,
        onResponseData: (_controller, chunk) => {
          const read = now();
          pending += decoder.decode(chunk, { stream: true });
          for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
            relay(source, pending.slice(0, end), read);
            pending = pending.slice(end + 1);
          }
        },
        onResponseEnd: () => reject(new Error(`${source.url} ended its stream`)),
        onResponseError: (_controller, error) => reject(error),
      },
    );
  });
}

/** Polls (or streams) on from `timestamp`; a failed read ends the process: the bench sees it exit, not a chain quietly stopped. */
async function follow(source: ChainSource, timestamp: number): Promise<void> {
  try {
    if (source.streamed) await stream(source, timestamp);
    else for (;;) timestamp = await poll(source, timestamp);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}

// The first answers, the sources' full states, are read before the relay says it is ready (and sent
// to no client): as the bench's hub holds every point before its client subscribes, the client
// then counts changes, not a full state arriving late.
// Timestamp 1: the whole state (part A), of a bare source or of riohub's simulator.
const first = await Promise.all(sources.map((source) => poll(source, 1)));
sources.forEach((source, i) => void follow(source, first[i] as number));
process.once('SIGTERM', () => {
  // Out before the exit: an exit right after a write to a pipe cuts off what it has not taken yet.
  process.stdout.write(`${JSON.stringify({ probes, turnarounds })}\n`, () => process.exit(0));
});
console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
