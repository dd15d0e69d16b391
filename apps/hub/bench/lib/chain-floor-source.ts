// The bare chain's source (lib/chain-floor.ts), in a process of its own as a simulator is: the
// least a Remote I/O server can be, and no riohub code. `tsx chain-floor-source.ts <password>
// <names> <changes/s>`: serves `GET /x/rioget?1*<timestamp>*<password>` over HTTPS, answering
// the names changed after the timestamp, or holding the poll until one changes, and the probe's
// `GET /x/rioset?1*<password>*virtual.1*<value>`, written by the bench's probe writer as it writes
// to a simulator. Prints `{ port, certificate }` (its PEM in a temp file) when ready; on SIGTERM,
// how many changes it made per second since SIGUSR2 (the start of the bench's count) and when
// each probe was applied and its answer written, and exits.
// With a fourth argument, `stream` (`GET /x/rioget?1*<timestamp>*<password>*stream`, this bench's
// only: not in the Remote I/O API), the answer stays open and carries each change as it comes, one
// state a line: what a streamed read would take off the long poll's window, for the bench's
// comparison.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSelfSigned } from '@riohub/certificate';
import { now } from './measure';

const [password, namesText, rateText] = process.argv.slice(2) as [string, string, string];
const rate = Number(rateText);
/**
 * Changes are made every 5 ms, for the time since the tick before (a late tick makes up for it, up
 * to 100 ms): the simulator's spread (apps/sim/src/simulation.ts).
 */
const CHANGE_TICK_MS = 5;
const MAX_CATCH_UP_MS = 100;
/** The probe's name, as the simulator's: its value is the writer's send time, which names it at every stage. */
const PROBE = 'virtual.1';

const names = Array.from({ length: Number(namesText) }, (_, i) => `dummy.light.${i}`);
const values = new Map<string, string>([...names.map((name) => [name, '0'] as const), [PROBE, '0']]);
/**
 * The change clock: every change is one tick, so the names changed after timestamp T are the log
 * from index T - logBase on. Timestamp 1 (part A), one before logBase or one from another run gets
 * the full state.
 */
let timestamp = 1;
let logBase = timestamp;
let log: string[] = [];
/** Load changes made (the probe not counted), and when and at how many the bench started counting. */
let changes = 0;
let countedFrom: { at: number; changes: number } | undefined;
/** Polls with nothing new, answered at the next change (changes come every few ms: no hold timeout needed here). */
let held: { since: number; response: ServerResponse }[] = [];
/** Streamed reads: answers kept open, each written the changes after the last it carried. */
const streams: { since: number; response: ServerResponse }[] = [];
/**
 * Each probe applied since the bench's count began, for its breakdown: its value, its place in the
 * change clock, whether a poll was held when it was applied, when (`now`), and when the answer
 * carrying it was written (`now`, after the write, as the simulator's `answer-sent`).
 */
const probes: { value: string; timestamp: number; pollHeld: boolean; applied: number; written?: number }[] = [];
/**
 * The window with no poll held, as the simulator's recorder measures it: from each answer written
 * to the next poll's request (the relay's turnaround, the wire) and from that to the poll held.
 */
const pollWindow = { turnaround: [] as number[], handled: [] as number[] };
let answeredAt: number | undefined;

function change(name: string, value: string): void {
  values.set(name, value);
  log.push(name);
  timestamp++;
  // The poller keeps up: the log need only reach back a little way.
  if (log.length > 1_000_000) {
    logBase += 500_000;
    log = log.slice(500_000);
  }
}

/** The state after `since` as an answer's text: the names changed after it, or the whole state. */
function stateAfter(since: number): string {
  const io: Record<string, string> = {};
  // Timestamp 1 asks for the whole state (part A), as does one this source does not know.
  if (since <= 1 || since < logBase || since > timestamp) {
    for (const [name, value] of values) io[name] = value;
  } else {
    for (let i = since - logBase; i < log.length; i++) {
      const name = log[i] as string;
      io[name] = values.get(name) as string;
    }
  }
  return JSON.stringify({ hsycostate: { timestamp, io } });
}

function answer(since: number, response: ServerResponse): void {
  const body = stateAfter(since);
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  noteWritten(since);
}

/** A streamed read's next line: the changes after the last it carried. */
function streamOn(stream: (typeof streams)[number]): void {
  stream.response.write(`${stateAfter(stream.since)}\n`);
  // Out now: Node corks a chunked response's socket at each write and uncorks it on the next tick,
  // which came late here (the streamed chain's p50 was 1.3–1.7 ms at 10,000 changes/s without this
  // line, 0.5–0.9 ms with it).
  stream.response.socket?.uncork();
  noteWritten(stream.since);
  stream.since = timestamp;
}

/** The probes an answer after `since`, just written, is the first to carry: the latest not yet written, back to one written. */
function noteWritten(since: number): void {
  const written = now();
  answeredAt = written;
  for (let i = probes.length - 1; i >= 0; i--) {
    const probe = probes[i] as (typeof probes)[number];
    if (probe.written !== undefined) break;
    if (probe.timestamp > since && probe.timestamp <= timestamp) probe.written = written;
  }
}

/**
 * The probe's write, as the simulator takes it: applied, the held polls answered with it, then the
 * write's own answer. Written by another process, it comes at any point of the ticks' cycle, as
 * the simulator's does (a probe made by a timer here, beside the ticks' timer, kept in step with
 * them and found the relay's poll held far more often).
 */
function writeProbe(value: string, response: ServerResponse): void {
  // A streamed read is always ready for the next change.
  const pollHeld = held.length > 0 || streams.length > 0;
  change(PROBE, value);
  if (countedFrom) probes.push({ value, timestamp, pollHeld, applied: now() });
  release();
  const body = '{"hsycoresult":{"ok":true}}';
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
}

/** Answers every held poll: called once a change is whole, as the server's long polls are woken. */
function release(): void {
  const waiting = held;
  held = [];
  for (const poll of waiting) answer(poll.since, poll.response);
  for (const stream of streams) streamOn(stream);
}

// A name of its own: the relay trusts every source's certificate, told apart by their subjects.
const certificate = await makeSelfSigned('127.0.0.1', `chain-floor-${process.pid}`);
const folder = mkdtempSync(join(tmpdir(), 'riohub-chain-floor-'));
const certificateFile = join(folder, 'cert.pem');
writeFileSync(certificateFile, certificate.cert);

const server = createServer({ key: certificate.key, cert: certificate.cert }, (request, response) => {
  const fields = decodeURIComponent(request.url?.split('?')[1] ?? '').split('*');
  if (request.url?.startsWith('/x/rioset?') && fields[0] === '1' && fields[1] === password && fields[2] === PROBE && fields[3] !== undefined) {
    writeProbe(fields[3], response);
    return;
  }
  const [version, since, given, mode] = fields;
  if (!request.url?.startsWith('/x/rioget?') || version !== '1' || given !== password) {
    response.writeHead(404).end();
    return;
  }
  if (mode === 'stream') {
    // Chunked, each line written as it is made.
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const stream = { since: Number(since), response };
    streams.push(stream);
    response.once('close', () => streams.splice(streams.indexOf(stream), 1));
    streamOn(stream);
    return;
  }
  const requested = now();
  if (countedFrom && answeredAt !== undefined) pollWindow.turnaround.push(requested - answeredAt);
  const after = Number(since);
  if (after === timestamp) {
    held.push({ since: after, response });
    if (countedFrom) pollWindow.handled.push(now() - requested);
  } else answer(after, response);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

let budget = 0;
let changedUntil = performance.now();
const ticks = setInterval(() => {
  const now = performance.now();
  budget += (rate * Math.min(now - changedUntil, MAX_CATCH_UP_MS)) / 1000;
  changedUntil = now;
  const count = Math.floor(budget);
  budget -= count;
  // A value like the one before is a change all the same (the name is in the next answer): the
  // rate asked is the rate offered, as the simulator's toggles are.
  for (let i = 0; i < count; i++) change(names[Math.floor(Math.random() * names.length)] as string, Math.random() < 0.5 ? '0' : '1');
  changes += count;
  if (count > 0) release();
}, CHANGE_TICK_MS);

// Counted from the bench's count on: before, the relay started and the first full state went
// through, which slowed this process's ticks.
process.on('SIGUSR2', () => (countedFrom = { at: performance.now(), changes }));
process.once('SIGTERM', () => {
  clearInterval(ticks);
  rmSync(folder, { recursive: true, force: true });
  const made = changes - (countedFrom?.changes ?? NaN);
  const perSecond = made / ((performance.now() - (countedFrom?.at ?? NaN)) / 1000);
  const figures = { changes: made, perSecond, probes: probes.map(({ value, pollHeld, applied, written }) => [value, pollHeld, applied, written ?? null]), pollWindow };
  // Times to the microsecond, and out before the exit: the line is some hundreds of KB, and an
  // exit right after a write to a pipe cuts off what the pipe has not taken yet.
  process.stdout.write(`${JSON.stringify(figures, (_key, value: unknown) => (typeof value === 'number' ? Math.round(value * 1000) / 1000 : value))}\n`, () => process.exit(0));
});
console.log(JSON.stringify({ port: (server.address() as AddressInfo).port, certificate: certificateFile }));
