#!/usr/bin/env node
/** riohub: prints one line when ready, logs to stderr, exits cleanly on SIGINT/SIGTERM. */
import { parseHubArgs, USAGE, UsageError } from './config';
import { startHub } from './server';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(USAGE);
    return;
  }
  let config;
  try {
    config = parseHubArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`riohub: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }

  const running = await startHub(config);
  if (running.generatedAdminPassword) {
    // Shown once, on the terminal only: it is never logged.
    process.stdout.write(`riohub: first start: user "admin", password ${running.generatedAdminPassword} (shown only now)\n`);
  }
  process.stdout.write(`riohub listening on ${running.url}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    running.app.log.info({ signal }, 'stopping');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('riohub: error while stopping:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('riohub:', error instanceof Error ? error.message : error);
  process.exit(1);
});
