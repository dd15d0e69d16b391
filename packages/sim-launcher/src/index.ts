/** Starts riohub-sim and the hub as real child processes. */
export * from './hub-process';
export * from './sim-process';
export { APP_BUNDLES_ENV, appArgs, appEntry, type AppEntry, type AppName } from './layout';
