/** The command-line servers (hub, simulator): flags parsed strictly, and a clean stop on signals. */
export * from './flags';
export * from './server-cli';
