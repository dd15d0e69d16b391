// This process's garbage-collection pauses, for a bench (measure.ts) and for the preload that
// traces a probe (trace-recorder.mjs), which cannot import TypeScript: plain JavaScript, typed by
// gc-pauses.d.mts.
import { PerformanceObserver } from 'node:perf_hooks';

/**
 * Hands each garbage-collection pause of this process from now on to `each`: when it began, on
 * `clock` (ms; an entry's own start is on this process's `performance.now()`), and how long it
 * lasted (ms). The function returned stops. Entries come after the pause, in a later turn.
 */
export function observeGcPauses(clock, each) {
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) each(clock() - (performance.now() - entry.startTime), entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
