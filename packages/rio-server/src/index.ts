/** Serves the Remote I/O API from any datapoint source (the simulator today, the hub tomorrow). */
export * from './change-store';
export * from './long-poll';
export * from './plugin';
export * from './source';
export * from './state-reader';
export * from './trace';
