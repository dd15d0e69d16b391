/** The replicated loggers as the hub last listed them: the whole list, pushed over the socket. */
import type { LoggerView } from '@riohub/hub-api';
import type { StateCreator } from 'zustand';

export interface LoggersSlice {
  /** `undefined` until the socket's first list. */
  loggers: LoggerView[] | undefined;
  setLoggers(loggers: LoggerView[]): void;
  /** One logger as an answer of the hub's API has it, before the next list comes. */
  mergeLogger(logger: LoggerView): void;
}

export const createLoggersSlice: StateCreator<LoggersSlice, [], [], LoggersSlice> = (set, get) => ({
  loggers: undefined,
  setLoggers: (loggers) => set({ loggers }),
  mergeLogger: (changed) => set({ loggers: get().loggers?.map((logger) => (logger.id === changed.id ? changed : logger)) }),
});
