/**
 * Where a change is on its way from a server to a browser, for the latency breakdown of
 * `pnpm bench vs-mqtt`: each stage publishes to a diagnostics channel, which costs one check
 * while nothing subscribes (the bench subscribes from a preloaded script in each process).
 */
import { channel, type Channel } from 'node:diagnostics_channel';

/**
 * The clock of every stage's `at`: the machine's monotonic clock, in milliseconds, the same in every
 * process of one machine. Not `performance.timeOrigin + now()`: a process takes its time origin from
 * the wall clock once, as it starts, and one started while the machine was busy was seen 4 ms off
 * the others (one of 16 started beside two busy cores).
 */
export function traceClock(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The stages, in order. Each message carries `at` (traceClock) and what it saw. */
export const TRACE_STAGES = {
  /** A server applied a write: `{ at, writes, pollsHeld }`, the polls it held then, which it answers with it. */
  writeApplied: channel('riohub.trace.write-applied'),
  /** A server held a poll, having nothing new for it: `{ at }`. */
  pollHeld: channel('riohub.trace.poll-held'),
  /** A server wrote a poll's answer: `{ at, body }`. */
  answerSent: channel('riohub.trace.answer-sent'),
  /** A client received an answer whole: `{ at, body }`. */
  answerReceived: channel('riohub.trace.answer-received'),
  /** A client decoded it: `{ at }`. */
  answerDecoded: channel('riohub.trace.answer-decoded'),
  /** The hub applied it to its tree: `{ at, remote, entries }`. */
  answerApplied: channel('riohub.trace.answer-applied'),
  /** The hub sent a delta to a browser: `{ at, points }`. */
  deltaSent: channel('riohub.trace.delta-sent'),
} as const satisfies Record<string, Channel>;

/** Publishes a stage's message, made only when something listens. */
export function traceStage(stage: Channel, message: () => object): void {
  if (stage.hasSubscribers) stage.publish({ at: traceClock(), ...message() });
}
