/** The hub ↔ browser contract, imported by both sides. */
export * from './audit';
export * from './health';
export * from './hub-info';
export * from './loggers';
export * from './messages';
export * from './mqtt';
export * from './points';
export * from './remotes';
export * from './result';
export * from './routes';
export * from './served-api';
export * from './text';
export * from './users';
export * from './writes';
