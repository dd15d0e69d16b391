/**
 * What the operator is doing to points, per point (never per row, so nothing follows a row that
 * shows another point): drafts being typed, and writes in flight, pending until the value comes
 * back, or with the reason they failed.
 */
import type { StateCreator } from 'zustand';
import type { PointKey } from './points-slice';

export interface WriteState {
  requestId: string;
  value: string;
  /** Set when the remote refused the write or it never got there. */
  error?: string;
}

/** A value being typed for a point, not sent yet. */
export interface Draft {
  value: string;
  /** The point's live value when editing began: when it differs now, the live value moved meanwhile. */
  base: string;
}

export interface WritesSlice {
  writes: Record<PointKey, WriteState>;
  drafts: Record<PointKey, Draft>;
  startWrite(key: PointKey, requestId: string, value: string): void;
  failWrite(requestId: string, error: string): void;
  /** The point now holds the written value (or a newer one): nothing is pending any more. */
  settleWrite(key: PointKey): void;
  /**
   * The hub confirmed a write of `value` to the point: its value came back. Clears the entry, its
   * error too: a write that got no answer in time (`no-answer`) may still have been applied.
   */
  confirmWrite(key: PointKey, value: string): void;
  dismissWrite(key: PointKey): void;
  /** Typing: the first keystroke records the live value it started from. */
  editDraft(key: PointKey, value: string, live: string): void;
  /** Sent or abandoned: the editor shows the live value again. */
  discardDraft(key: PointKey): void;
}

export const createWritesSlice: StateCreator<WritesSlice, [], [], WritesSlice> = (set, get) => ({
  writes: {},
  drafts: {},
  startWrite: (key, requestId, value) => set({ writes: { ...get().writes, [key]: { requestId, value } } }),
  failWrite(requestId, error) {
    const entry = Object.entries(get().writes).find(([, write]) => write.requestId === requestId);
    if (entry) set({ writes: { ...get().writes, [entry[0]]: { ...entry[1], error } } });
  },
  settleWrite(key) {
    if (!(key in get().writes) || get().writes[key]?.error) return;
    set({ writes: without(get().writes, key) });
  },
  confirmWrite(key, value) {
    if (get().writes[key]?.value === value) set({ writes: without(get().writes, key) });
  },
  dismissWrite: (key) => set({ writes: without(get().writes, key) }),
  editDraft(key, value, live) {
    const base = get().drafts[key]?.base ?? live;
    set({ drafts: { ...get().drafts, [key]: { value, base } } });
  },
  discardDraft(key) {
    if (key in get().drafts) set({ drafts: without(get().drafts, key) });
  },
});

function without<T>(record: Record<PointKey, T>, key: PointKey): Record<PointKey, T> {
  const rest = { ...record };
  delete rest[key];
  return rest;
}
