/** The dashboard's one store, built from slices; components select the smallest slice they show. */
import { create, type StateCreator } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createHubSlice, type HubSlice } from './hub-slice';
import { createLoggersSlice, type LoggersSlice } from './loggers-slice';
import { createPointsSlice, type PointsSlice } from './points-slice';
import { createWritesSlice, type WritesSlice } from './writes-slice';

export type Store = PointsSlice & HubSlice & WritesSlice & LoggersSlice;
export type HubStore = StoreApi<Store>;

const slices: StateCreator<Store> = (...args) => ({
  ...createPointsSlice(...args),
  ...createHubSlice(...args),
  ...createWritesSlice(...args),
  ...createLoggersSlice(...args),
});

/** The tab's store, as a React hook (and `getState`/`subscribe` outside React). */
export const useHub = create<Store>()(slices);

/** A store of its own, without React: for tests of the store and the socket client. */
export function createHubStore(): HubStore {
  return createStore<Store>()(slices);
}

export { pointKey, SnapshotPoints, type PointKey } from './points-slice';
