/** The dashboard's one store, built from slices; components select the smallest slice they show. */
import { create } from 'zustand';
import { createHubSlice, type HubSlice } from './hub-slice';
import { createLoggersSlice, type LoggersSlice } from './loggers-slice';
import { createPointsSlice, type PointsSlice } from './points-slice';
import { createWritesSlice, type WritesSlice } from './writes-slice';

export type Store = PointsSlice & HubSlice & WritesSlice & LoggersSlice;

export const useHub = create<Store>()((...args) => ({
  ...createPointsSlice(...args),
  ...createHubSlice(...args),
  ...createWritesSlice(...args),
  ...createLoggersSlice(...args),
}));

export { pointKey, type PointKey } from './points-slice';
