#!/usr/bin/env node
/**
 * riohub: the server prints one line when ready, logs to stderr, exits cleanly on SIGINT/SIGTERM;
 * the one-shot commands (export-config, backup, restore, --reset-password) print and exit.
 */
import { runCommandCli, runServerCli } from '@riohub/cli';
import { FILE_COMMANDS, fileCommand, isResetPassword, resetPasswordCommand } from './commands';
import { parseHubArgs, USAGE } from './config';
import { startHub } from './server';

const argv = process.argv.slice(2);
const command = FILE_COMMANDS.find((name) => name === argv[0]);

if (command) {
  runCommandCli(fileCommand(command, process.env), argv.slice(1));
} else if (isResetPassword(argv)) {
  runCommandCli(resetPasswordCommand(process.env), argv);
} else {
  runServerCli({
    program: 'riohub',
    usage: USAGE,
    parse: (args) => parseHubArgs(args),
    start: (config) => startHub(config),
    readyLines: (running) => [
      // Shown once, on the terminal only: it is never logged.
      ...(running.generatedAdminPassword
        ? [`riohub: first start: user "admin", password ${running.generatedAdminPassword} (shown only now)`]
        : []),
      ...(running.renewedFingerprint
        ? [`riohub: the self-signed certificate was about to expire and has been renewed: new fingerprint ${running.renewedFingerprint} (trust it where the old one was pinned)`]
        : []),
      `riohub listening on ${running.url}`,
    ],
  });
}
