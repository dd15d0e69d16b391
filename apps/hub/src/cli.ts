#!/usr/bin/env node
/** riohub: prints one line when ready, logs to stderr, exits cleanly on SIGINT/SIGTERM. */
import { runServerCli } from '@riohub/cli';
import { parseHubArgs, USAGE } from './config';
import { startHub } from './server';

runServerCli({
  program: 'riohub',
  usage: USAGE,
  parse: parseHubArgs,
  start: (config) => startHub(config),
  readyLines: (running) => [
    // Shown once, on the terminal only: it is never logged.
    ...(running.generatedAdminPassword
      ? [`riohub: first start: user "admin", password ${running.generatedAdminPassword} (shown only now)`]
      : []),
    `riohub listening on ${running.url}`,
  ],
});
