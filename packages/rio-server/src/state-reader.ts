/** Builds `rioget` answers (versions 1 and 2) from a source, as its settings expose it. */
import { encodeState, type Entry, type HsycoState, type NameFilter, type QualityEntry, type Sections } from '@riohub/protocol';
import type { Kind } from './change-store';
import type { RioSource } from './source';

export interface ExposedFilters {
  io: NameFilter;
  ui: NameFilter;
}

export interface StateQuery {
  version: 1 | 2;
  timestamp: number;
  sections: Sections;
}

const KINDS: Kind[] = ['io', 'ui'];

/** The full state when the client's timestamp is 1 or unknown, else only what changed after it. */
export function isFullStateQuery(source: RioSource, query: StateQuery): boolean {
  return query.timestamp === 1 || !source.store.knows(query.timestamp);
}

/**
 * The answer for a query, or `undefined` when nothing it asks for changed after its timestamp
 * (the poll then waits). A full-state answer always carries its sections, even empty. `topotime`
 * is the one served, which the filters move as well as the source.
 */
export function readChanges(source: RioSource, filters: ExposedFilters, query: StateQuery, topotime: number): string | undefined {
  const full = isFullStateQuery(source, query);
  const sections: Partial<Record<Kind, Entry[]>> = {};
  let changed = false;
  for (const kind of KINDS) {
    if (!query.sections[kind]) continue;
    const entries = full
      ? source.store.all(kind, filters[kind])
      : source.store.changesSince(kind, query.timestamp, filters[kind]);
    if (full || entries.length > 0) {
      sections[kind] = entries;
      changed = true;
    }
  }
  const quality = readQuality(source, filters, query, full);
  if (quality) changed = true;
  return full || changed ? encodeState({ ...stateHeader(source, query, topotime, sections, full), ...(quality ? { quality } : {}) }) : undefined;
}

/**
 * Part B `quality`, for a version-2 read of datapoints: with the full state every stale datapoint,
 * else those whose quality changed after the timestamp; `undefined` when there is none to send.
 * Version 1 stays exactly part A, so a quality change alone never answers its poll.
 */
function readQuality(source: RioSource, filters: ExposedFilters, query: StateQuery, full: boolean): QualityEntry[] | undefined {
  if (query.version !== 2 || !query.sections.io) return undefined;
  const quality = full ? source.store.staleNames(filters.io) : source.store.qualityChangesSince(query.timestamp, filters.io);
  return quality.length > 0 ? quality : undefined;
}

/** The answer after a poll was held with nothing new: no data sections. */
export function idleState(source: RioSource, query: StateQuery, topotime: number): string {
  return encodeState(stateHeader(source, query, topotime, {}, false));
}

function stateHeader(source: RioSource, query: StateQuery, topotime: number, sections: Partial<Record<Kind, Entry[]>>, full: boolean): HsycoState {
  const state: HsycoState = {
    timestamp: source.store.timestamp,
    system: source.systemClock !== undefined,
    topotime,
    ...sections,
  };
  // Version 1 stays exactly part A: a stock client has no use for the flag, and a concentrator
  // reading v1 learns of removals by reading the full state itself (PROTOCOL.md part B).
  if (query.version === 2) {
    if (source.systemClock) state.clock = source.systemClock();
    if (full) state.full = true;
    state.members = source.members();
  }
  return state;
}
