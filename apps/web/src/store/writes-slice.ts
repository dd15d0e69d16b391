/** Writes in flight, per point: pending until the value comes back, or the reason they failed. */
import type { StateCreator } from 'zustand';
import type { PointKey } from './points-slice';

export interface WriteState {
  requestId: string;
  value: string;
  /** Set when the remote refused the write or it never got there. */
  error?: string;
}

export interface WritesSlice {
  writes: Record<PointKey, WriteState>;
  startWrite(key: PointKey, requestId: string, value: string): void;
  failWrite(requestId: string, error: string): void;
  /** The point now holds the written value (or a newer one): nothing is pending any more. */
  settleWrite(key: PointKey): void;
  dismissWrite(key: PointKey): void;
}

export const createWritesSlice: StateCreator<WritesSlice, [], [], WritesSlice> = (set, get) => ({
  writes: {},
  startWrite: (key, requestId, value) => set({ writes: { ...get().writes, [key]: { requestId, value } } }),
  failWrite(requestId, error) {
    const entry = Object.entries(get().writes).find(([, write]) => write.requestId === requestId);
    if (entry) set({ writes: { ...get().writes, [entry[0]]: { ...entry[1], error } } });
  },
  settleWrite(key) {
    if (!(key in get().writes) || get().writes[key]?.error) return;
    set({ writes: without(get().writes, key) });
  },
  dismissWrite: (key) => set({ writes: without(get().writes, key) }),
});

function without(writes: Record<PointKey, WriteState>, key: PointKey): Record<PointKey, WriteState> {
  return Object.fromEntries(Object.entries(writes).filter(([k]) => k !== key));
}
