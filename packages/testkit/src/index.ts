/** Helpers for integration and end-to-end tests. */
export * from './rio-client';
export * from './sim-process';
