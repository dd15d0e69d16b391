/**
 * Where a change is on its way from a server to a browser, for the latency breakdown of
 * `pnpm bench vs-mqtt`: each stage publishes to a diagnostics channel, which costs one check
 * while nothing subscribes (the bench subscribes from a preloaded script in each process).
 */
import { channel, type Channel } from 'node:diagnostics_channel';

/** The stages, in order. Each message carries `at` (epoch ms, sub-millisecond) and what it saw. */
export const TRACE_STAGES = {
  /** A server applied a write: `{ at, writes }`. */
  writeApplied: channel('riohub.trace.write-applied'),
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
  if (stage.hasSubscribers) stage.publish({ at: performance.timeOrigin + performance.now(), ...message() });
}
