// What every bench measures with: percentiles, a process's CPU and memory from /proc, the time
// as every process on this machine agrees on it, waiting for a hub to hold its points, the
// dashboard client's receiving of deltas, and this process's garbage-collection pauses.
import { readFileSync } from 'node:fs';
import { traceClock } from '@riohub/rio-server';
import type { WebSocket } from 'ws';
import type { HubClient } from '../../src/testing/test-hub';
import { observeGcPauses } from './gc-pauses.mjs';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Milliseconds, sub-millisecond, comparable across processes on one machine (traceClock). */
export const now = traceClock;

/** The value at fraction `p` of a sorted list (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

/** The middle of a sorted list, between the two middle values when their count is even (NaN when empty). */
export function median(sorted: readonly number[]): number {
  const half = sorted.length / 2;
  return Number.isInteger(half) ? (((sorted[half - 1] ?? NaN) + (sorted[half] ?? NaN)) / 2) : (sorted[Math.floor(half)] ?? NaN);
}

/** Seconds of CPU a process has used (user and system), from /proc. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime, the 14th and 15th fields (the 12th and 13th after the command), in ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Cores each group of processes kept busy while `run` ran. */
export async function coresUsed<T>(pids: Record<string, number[]>, run: () => Promise<T>): Promise<[T, Record<string, number>]> {
  const total = (list: number[]) => list.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const before = Object.fromEntries(Object.entries(pids).map(([name, list]) => [name, total(list)]));
  const started = performance.now();
  const result = await run();
  const seconds = (performance.now() - started) / 1000;
  return [result, Object.fromEntries(Object.entries(pids).map(([name, list]) => [name, (total(list) - (before[name] as number)) / seconds]))];
}

/** A process's resident memory in MiB, from /proc. */
export function residentMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
}

/** Waits until the hub holds at least `count` points. */
export async function waitForPoints(admin: HubClient, count: number, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await admin.data<{ points: number }>('GET', '/api/hub')).points < count) {
    if (Date.now() > deadline) throw new Error(`the hub did not reach ${count} points`);
    await sleep(50);
  }
}

/**
 * Hands each point of every `delta` the socket receives to `each`, with when it arrived: the one
 * client of every chain measured (riohub's hub, the bare relay), so both pay the same. From here
 * on the socket does nothing else: a test client's own keeping of every message and point (a
 * second parse of each) would be the bench's cost, paid before the arrival time is read.
 */
export function onDeltas(socket: WebSocket, each: (point: { name: string; value: string }, arrived: number) => void): void {
  socket.removeAllListeners('message');
  socket.on('message', (data: Buffer) => {
    const arrived = now();
    const message = JSON.parse(data.toString()) as { type: string; payload: { points: { name: string; value: string }[] } };
    if (message.type !== 'delta') return;
    for (const point of message.payload.points) each(point, arrived);
  });
}

/** A pause of a process for garbage collection: when it began (`now`) and how long it lasted (ms). */
export interface Pause {
  start: number;
  duration: number;
}

/** Records this process's garbage-collection pauses from now; the function returned stops and gives them. */
export function watchPauses(): () => Promise<Pause[]> {
  const pauses: Pause[] = [];
  const stop = observeGcPauses(now, (start, duration) => pauses.push({ start, duration }));
  return async () => {
    // Entries are delivered after the pause, in a later turn: the last ones come in first.
    await sleep(50);
    stop();
    return pauses;
  };
}
