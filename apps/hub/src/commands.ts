/**
 * riohub's one-shot commands, each run against a data folder and done: `export-config`, `backup`,
 * `restore` and `--reset-password`. What they print goes to stdout; see cli.ts.
 */
import type { CommandCli } from '@riohub/cli';
import { resetPassword } from './auth/reset-password';
import { parseFileCommandArgs, parseResetArgs, USAGE, type FileCommand } from './config';
import { backupDatabase, backupReport, restoreDatabase, restoreReport } from './db/backup';
import { exportSettings } from './settings-file/export-settings';

export const FILE_COMMANDS: readonly FileCommand[] = ['export-config', 'backup', 'restore'];

/** `riohub <command> …`: the arguments after the command's name. */
export function fileCommand(command: FileCommand, env: NodeJS.ProcessEnv): CommandCli {
  return {
    program: 'riohub',
    usage: USAGE,
    async run(argv) {
      const { file, data, replace } = parseFileCommandArgs(command, argv, env);
      if (command === 'export-config') return [exportSettings(data).trimEnd()];
      if (command === 'backup') return backupReport(data, file, await backupDatabase(data, file));
      return restoreReport(file, data, await restoreDatabase(file, data, { replace }), env);
    },
  };
}

/** Whether the arguments ask for a password reset rather than a server. */
export function isResetPassword(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--reset-password' || arg.startsWith('--reset-password='));
}

/** `riohub --reset-password <user> [--data <dir>]`. */
export function resetPasswordCommand(env: NodeJS.ProcessEnv): CommandCli {
  return {
    program: 'riohub',
    usage: USAGE,
    async run(argv) {
      const { data, user } = parseResetArgs(argv, env) as { data: string; user: string };
      const password = await resetPassword(data, user);
      // Shown once, on the terminal only: it is never logged.
      return [`riohub: user "${user}" has the new password ${password} (shown only now); their sessions are ended`];
    },
  };
}
