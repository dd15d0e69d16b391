#!/usr/bin/env node
/** riohub-sim: prints one line when ready, logs to stderr, exits cleanly on SIGINT/SIGTERM. */
import { parseSimArgs, USAGE, UsageError } from './config';
import { startSim } from './server';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(USAGE);
    return;
  }
  let config;
  try {
    config = parseSimArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`riohub-sim: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }

  const sim = await startSim(config);
  process.stdout.write(`riohub-sim listening on ${sim.url}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    sim.app.log.info({ signal }, 'stopping');
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('riohub-sim: error while stopping:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('riohub-sim:', error instanceof Error ? error.message : error);
  process.exit(1);
});
