// Preloaded into a simulator or a hub by the latency breakdown (`--import` in NODE_OPTIONS): records
// when each stage (packages/rio-server/src/trace.ts) saw the probe datapoint, one line per sighting,
// `<stage> <probe value> <time>`, in a file of this process's own in RIOHUB_TRACE_DIR, and the
// process's garbage-collection pauses. The probe's value is the time it was sent, so sightings of
// one probe are joined across processes. Every time is on the machine's monotonic clock, in ms
// (`traceClock` in trace.ts), the same in every process.
import { appendFile } from 'node:fs';
import { subscribe } from 'node:diagnostics_channel';
import { join } from 'node:path';
import { observeGcPauses } from './gc-pauses.mjs';
import { observePollTurnarounds } from './poll-turnarounds.mjs';

/**
 * The clock of every stage's `at`, the same as `traceClock` in packages/rio-server/src/trace.ts
 * (a preload cannot import TypeScript): the machine's monotonic clock, in milliseconds.
 */
const traceClock = () => Number(process.hrtime.bigint()) / 1e6;

const folder = process.env.RIOHUB_TRACE_DIR;
/** How often what was recorded is written (riohub-stream.ts waits this long before reading). */
const WRITE_EVERY_MS = 1_000;
/** The probe's name as the simulator knows it (`virtual.1`): prefixed at the hub. */
const name = process.env.RIOHUB_TRACE_NAME ?? 'virtual.1';
if (folder) {
  const file = join(folder, `trace-${process.pid}.txt`);
  // Kept, and written once a second off the thread: a write at each sighting would be in the way
  // of the very probe it records, and each write is three jobs for libuv's threads (open, write,
  // close), each waking a thread and then this one (at every 20 ms, 150 wake-ups a second of the
  // process being measured, on two cores shared with the rest of the chain).
  let lines = '';
  const record = (stage, value, at) => {
    if (lines === '') setTimeout(() => {
      appendFile(file, lines, () => undefined);
      lines = '';
    }, WRITE_EVERY_MS).unref();
    lines += `${stage} ${value} ${at.toFixed(3)}\n`;
  };
  // The probe's value in an answer, found as plain text: this runs on every answer.
  const key = `"${name}":"`;
  const inBody = (body) => {
    const at = body.indexOf(key);
    return at === -1 ? undefined : body.slice(at + key.length, body.indexOf('"', at + key.length));
  };
  const inEntries = (entries) => entries.find(([entry]) => entry === name)?.[1];
  let received;
  subscribe('riohub.trace.write-applied', ({ at, writes, pollsHeld }) => {
    const value = inEntries(writes);
    if (value === undefined) return;
    record('applied-at-server', value, at);
    // Between an answer and the hub's next poll, a change waits for that poll.
    if (pollsHeld === 0) record('no-poll-held', value, at);
  });
  // The window with no poll held, from the server's side: from each answer written to the next
  // poll's request read (the concentrator's turnaround and the wire), and from that to the poll
  // held (the server's handling of it), as `poll-turnaround <ms> <time>` and `poll-handled`.
  let answered;
  let requested;
  subscribe('http.server.request.start', ({ request }) => {
    if (!request.url?.startsWith('/x/rioget')) return;
    requested = traceClock();
    if (answered !== undefined) record('poll-turnaround', (requested - answered).toFixed(3), requested);
  });
  subscribe('riohub.trace.poll-held', ({ at }) => {
    if (requested !== undefined) record('poll-handled', (at - requested).toFixed(3), at);
    requested = undefined;
  });
  // The concentrator's own part of that window, from its side: each poll's answer read whole (by
  // undici) → the next poll of the same remote written, as `concentrator-turnaround <ms> <time>`.
  observePollTurnarounds(traceClock, (written, ms) => record('concentrator-turnaround', ms.toFixed(3), written));
  subscribe('riohub.trace.answer-sent', ({ at, body }) => {
    answered = at;
    requested = undefined;
    const value = inBody(body);
    if (value !== undefined) record('answer-written', value, at);
  });
  subscribe('riohub.trace.answer-received', ({ at, body }) => {
    received = inBody(body);
    if (received !== undefined) record('answer-received', received, at);
  });
  subscribe('riohub.trace.answer-decoded', ({ at }) => {
    if (received !== undefined) record('answer-decoded', received, at);
    received = undefined;
  });
  subscribe('riohub.trace.answer-applied', ({ at, entries }) => {
    const value = inEntries(entries);
    if (value !== undefined) record('tree-applied', value, at);
  });
  // Each pause of this process for garbage collection, as `gc:<role> <duration ms> <start>`: a
  // probe on its way through a paused process waits the pause out.
  const role = process.env.RIOHUB_TRACE_ROLE ?? 'process';
  observeGcPauses(traceClock, (start, duration) => record(`gc:${role}`, duration.toFixed(3), start));
  const suffix = `.${name}`;
  subscribe('riohub.trace.delta-sent', ({ at, points }) => {
    const point = points.find((candidate) => candidate.name.endsWith(suffix));
    if (point) record('delta-sent', point.value, at);
  });
}
