#!/usr/bin/env node
/** riohub-sim: prints one line when ready, logs to stderr, exits cleanly on SIGINT/SIGTERM. */
import { runServerCli } from '@riohub/cli';
import { parseSimArgs, USAGE } from './config';
import { startSim } from './server';

runServerCli({
  program: 'riohub-sim',
  usage: USAGE,
  parse: (argv) => parseSimArgs(argv),
  start: startSim,
  readyLines: (sim) => [`riohub-sim listening on ${sim.url}`],
});
