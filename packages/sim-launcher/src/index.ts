/** Starts riohub-sim as a real child process. */
export * from './sim-process';
