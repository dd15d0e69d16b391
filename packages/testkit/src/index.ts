/** Helpers for integration and end-to-end tests. */
export * from '@riohub/sim-launcher';
export * from './rio-client';
