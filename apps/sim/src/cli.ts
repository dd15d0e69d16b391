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

  // Signals are handled from the start: with no handler, a signal that arrives between the ready
  // line and the handler's registration would kill the process uncleanly.
  let stopping = false;
  let signalWhileStarting: NodeJS.Signals | undefined;
  let started: Awaited<ReturnType<typeof startSim>> | undefined = undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (!started) {
      signalWhileStarting ??= signal; // still starting: it stops as soon as it is up
      return;
    }
    if (stopping) return;
    stopping = true;
    started.app.log.info({ signal }, 'stopping');
    started.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('riohub-sim: error while stopping:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const sim = await startSim(config);
  started = sim;
  if (signalWhileStarting) return stop(signalWhileStarting);
  process.stdout.write(`riohub-sim listening on ${sim.url}\n`);
}

main().catch((error: unknown) => {
  console.error('riohub-sim:', error instanceof Error ? error.message : error);
  process.exit(1);
});
