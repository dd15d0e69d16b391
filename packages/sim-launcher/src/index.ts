/** Starts riohub-sim and the hub as real child processes. */
export * from './hub-process';
export * from './sim-process';
