// A concentrator's turnaround after each poll's answer, for the bare chain's relay
// (chain-floor-relay.ts) and for the preload that traces a probe in the hub (trace-recorder.mjs),
// which cannot import TypeScript: plain JavaScript, typed by poll-turnarounds.d.mts.
import { subscribe } from 'node:diagnostics_channel';

const isPoll = (request) => request.path.startsWith('/x/rioget');

/**
 * Hands `each` every poll's turnaround in this process from now on, from undici's diagnostics
 * channels: its answer read whole → the next poll of the same remote written, in ms on `clock`, and
 * when that poll was written.
 */
export function observePollTurnarounds(clock, each) {
  /** When each remote's last answer was read whole, by origin. */
  const read = new Map();
  subscribe('undici:request:trailers', ({ request }) => {
    if (isPoll(request)) read.set(request.origin, clock());
  });
  subscribe('undici:client:sendHeaders', ({ request }) => {
    if (!isPoll(request)) return;
    const written = clock();
    const answered = read.get(request.origin);
    read.delete(request.origin);
    if (answered !== undefined) each(written, written - answered);
  });
}
