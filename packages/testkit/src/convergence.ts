/**
 * Convergence checks for fault tests: a Remote I/O server's full state, read by an independent
 * client, against what a hub holds of it (its REST tree, or its own served API one level up),
 * name by name and value by value, stale flags included; and a wait until they are equal.
 */
import type { RioTestClient } from './rio-client';

/** What one side holds of a point. */
export interface Observed {
  value: string;
  stale: boolean;
}

/** Points keyed `io:<name>` (datapoints) or `ui:<name>` (GUI variables), names as the mirror holds them. */
export type Snapshot = Map<string, Observed>;

export interface Difference {
  key: string;
  /** Undefined: the mirror holds a point the source does not have. */
  expected: string | undefined;
  /** Undefined: the mirror lacks it. */
  actual: string | undefined;
  /** The mirror shows it stale while the source has it live. */
  stale: boolean;
}

export interface Comparison {
  equal: boolean;
  expectedCount: number;
  actualCount: number;
  /** How many keys differ in all; `differences` lists the first of them. */
  differenceCount: number;
  differences: Difference[];
}

export interface ReadStateOptions {
  /** Put before every name, as the mirror does: `lobby.` for a hub's remote `lobby`. */
  prefix?: string;
  /** Also GUI variables (`ui:` keys). */
  ui?: boolean;
}

interface StateBody {
  hsycostate?: { io?: Record<string, string>; ui?: Record<string, string>; quality?: Record<string, string> };
}

/** The whole state of a Remote I/O server (a simulator, or a hub's served API), by `rioget` v2 with `1`. */
export async function readServerState(client: RioTestClient, password: string, options: ReadStateOptions = {}): Promise<Snapshot> {
  const sections = options.ui ? 'io,ui' : 'io';
  const response = await client.get(`/x/rioget?2*1*${encodeURIComponent(password)}*${sections}`);
  if (response.status !== 200) throw new Error(`rioget answered HTTP ${response.status}: ${response.body.slice(0, 200)}`);
  const state = (JSON.parse(response.body) as StateBody).hsycostate;
  if (!state) throw new Error(`rioget answered no state: ${response.body.slice(0, 200)}`);
  const prefix = options.prefix ?? '';
  const snapshot: Snapshot = new Map();
  // Quality names stale datapoints (a hub's, PROTOCOL.md part B); a simulator sends none.
  const quality = state.quality ?? {};
  for (const [name, value] of Object.entries(state.io ?? {})) {
    snapshot.set(`io:${prefix}${name}`, { value, stale: quality[name] === 'stale' });
  }
  for (const [name, value] of Object.entries(state.ui ?? {})) snapshot.set(`ui:${prefix}${name}`, { value, stale: false });
  return snapshot;
}

interface HubPoint {
  name: string;
  kind: string;
  value: string;
  state: string;
}

interface HubPointPage {
  points: HubPoint[];
  total: number;
  offset: number;
}

/** At most this many pages are read: a tree of ten million points is not what a test builds. */
const MAX_PAGES = 1_000;
const PAGE_SIZE = 10_000;

/**
 * A hub's tree under `prefix` (`lobby.`) through `GET /api/points`, page by page. `getJson`
 * answers a path with the `data` of the hub's answer (a signed-in client's). The hub's own points
 * (kind `hub`) are left out: the source does not have them.
 */
export async function readHubTree(getJson: (path: string) => Promise<unknown>, prefix: string, options: { ui?: boolean } = {}): Promise<Snapshot> {
  const snapshot: Snapshot = new Map();
  for (let offset = 0, page = 0; page < MAX_PAGES; page++) {
    const result = (await getJson(`/api/points?prefix=${encodeURIComponent(prefix)}&offset=${offset}&limit=${PAGE_SIZE}`)) as HubPointPage;
    for (const point of result.points) {
      if (point.kind === 'io' || (point.kind === 'ui' && options.ui)) {
        snapshot.set(`${point.kind}:${point.name}`, { value: point.value, stale: point.state === 'stale' });
      }
    }
    offset += result.points.length;
    if (result.points.length === 0 || offset >= result.total) return snapshot;
  }
  throw new Error(`more than ${MAX_PAGES} pages of points under ${prefix}`);
}

export interface CompareOptions {
  /** Keys the mirror may hold beyond the source, or hold otherwise (e.g. a hub's own clock points). */
  ignore?: (key: string) => boolean;
  /** How many differences to list (default 10). */
  limit?: number;
}

/** Equal: the same keys, the same values, and nothing stale in the mirror that is live at the source. */
export function compareStates(expected: Snapshot, actual: Snapshot, options: CompareOptions = {}): Comparison {
  const ignore = options.ignore ?? (() => false);
  const limit = options.limit ?? 10;
  const differences: Difference[] = [];
  let differenceCount = 0;
  const note = (difference: Difference) => {
    differenceCount++;
    if (differences.length < limit) differences.push(difference);
  };
  for (const [key, source] of expected) {
    if (ignore(key)) continue;
    const mirror = actual.get(key);
    const stale = mirror !== undefined && mirror.stale && !source.stale;
    if (mirror === undefined || mirror.value !== source.value || stale) note({ key, expected: source.value, actual: mirror?.value, stale });
  }
  for (const [key, mirror] of actual) {
    if (!expected.has(key) && !ignore(key)) note({ key, expected: undefined, actual: mirror.value, stale: mirror.stale });
  }
  return { equal: differenceCount === 0, expectedCount: expected.size, actualCount: actual.size, differenceCount, differences };
}

/** One line per difference, for a failure message. */
export function describeComparison(comparison: Comparison): string {
  if (comparison.equal) return `equal (${comparison.expectedCount} points)`;
  const lines = comparison.differences.map(({ key, expected, actual, stale }) => {
    if (expected === undefined) return `  ${key}: not at the source, mirror has ${JSON.stringify(actual)}`;
    if (actual === undefined) return `  ${key}: missing, source has ${JSON.stringify(expected)}`;
    return `  ${key}: source ${JSON.stringify(expected)}, mirror ${JSON.stringify(actual)}${stale ? ' (stale)' : ''}`;
  });
  return `${comparison.differenceCount} of ${comparison.expectedCount} source / ${comparison.actualCount} mirror points differ:\n${lines.join('\n')}`;
}

export interface ConvergenceOptions extends CompareOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Between two comparisons (default 100 ms). */
  intervalMs?: number;
}

export interface Convergence {
  /** Milliseconds from the call until both sides were equal. */
  elapsedMs: number;
  comparison: Comparison;
}

/**
 * Reads both sides until they are equal, within `timeoutMs`; otherwise throws with the first
 * differences of the last reading. A read that fails (a side not reachable yet) is retried.
 */
export async function waitForConvergence(
  readExpected: () => Promise<Snapshot>,
  readActual: () => Promise<Snapshot>,
  options: ConvergenceOptions = {},
): Promise<Convergence> {
  const started = performance.now();
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const interval = options.intervalMs ?? 100;
  let last: string;
  for (;;) {
    try {
      // The mirror is read first: what it holds can then only be older than the source's reading.
      const actual = await readActual();
      const comparison = compareStates(await readExpected(), actual, options);
      if (comparison.equal) return { elapsedMs: performance.now() - started, comparison };
      last = describeComparison(comparison);
    } catch (error) {
      last = `a read failed: ${(error as Error).message}`;
    }
    if (Date.now() > deadline) throw new Error(`no convergence within ${options.timeoutMs ?? 60_000} ms; ${last}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
