/** Helpers for integration and end-to-end tests. */
export * from '@riohub/sim-launcher';
export * from './convergence';
export * from './fault-proxy';
export * from './mosquitto';
export * from './ports';
export * from './postgres';
export * from './rio-client';
export * from './test-store-hub';
export * from './wait';
