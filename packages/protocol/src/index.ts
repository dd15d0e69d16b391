/** The Remote I/O API wire contract (../../../shared/PROTOCOL.md) as pure, typed functions. */
export * from './address-list';
export * from './args';
export * from './entry-of';
export * from './errors';
export * from './name-filter';
export * from './names';
export * from './requests';
export * from './responses';
