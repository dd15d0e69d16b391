/** The command lines (hub, simulator): flags parsed strictly, a clean stop on signals, one-shot commands. */
export * from './command-cli';
export * from './flags';
export * from './server-cli';
