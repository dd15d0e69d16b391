#!/usr/bin/env node
/** riohub: prints one line when ready, logs to stderr, exits cleanly on SIGINT/SIGTERM. */
import { runServerCli, UsageError } from '@riohub/cli';
import { resetPassword, ResetPasswordError } from './auth/reset-password';
import { parseHubArgs, parseResetArgs, USAGE } from './config';
import { startHub } from './server';

const argv = process.argv.slice(2);
let reset: ReturnType<typeof parseResetArgs>;
try {
  reset = argv.includes('--help') ? undefined : parseResetArgs(argv);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`riohub: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}

if (reset) {
  const { data, user } = reset;
  resetPassword(data, user).then(
    // Shown once, on the terminal only: it is never logged.
    (password) => process.stdout.write(`riohub: user "${user}" has the new password ${password} (shown only now); their sessions are ended\n`),
    (error: unknown) => {
      process.stderr.write(`riohub: ${error instanceof ResetPasswordError ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
} else {
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
      ...(running.renewedFingerprint
        ? [`riohub: the self-signed certificate was about to expire and has been renewed: new fingerprint ${running.renewedFingerprint} (trust it where the old one was pinned)`]
        : []),
      `riohub listening on ${running.url}`,
    ],
  });
}
