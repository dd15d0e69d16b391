/**
 * riohub's one-shot commands, each run against a data folder and done: `export-config`, `backup`,
 * `restore` and `--reset-password`. What they print goes to stdout; see cli.ts. Backups are
 * SQLite's: with a PostgreSQL database (`--database`) they are PostgreSQL's own tools' to make.
 */
import { CommandError, type CommandCli } from '@riohub/cli';
import { resetPassword } from './auth/reset-password';
import { parseFileCommandArgs, parseResetArgs, USAGE, type FileCommand, type ResetPasswordConfig } from './config';
import { backupDatabase, backupReport, restoreDatabase, restoreReport } from './db/backup';
import { exportSettings } from './settings-file/export-settings';

export const FILE_COMMANDS: readonly FileCommand[] = ['export-config', 'backup', 'restore'];

/** `riohub <command> …`: the arguments after the command's name. */
export function fileCommand(command: FileCommand, env: NodeJS.ProcessEnv): CommandCli {
  return {
    program: 'riohub',
    usage: USAGE,
    async run(argv) {
      const { file, data, database, replace } = parseFileCommandArgs(command, argv, env);
      if (command === 'export-config') return [(await exportSettings(data, database)).trimEnd()];
      if (database !== undefined) throw new CommandError(POSTGRES_REFUSALS[command]);
      if (command === 'backup') return backupReport(data, file, await backupDatabase(data, file));
      return restoreReport(file, data, await restoreDatabase(file, data, { replace }), env);
    },
  };
}

/** Why a backup command does not run on a PostgreSQL database, and what does its work there. */
const POSTGRES_REFUSALS: Record<'backup' | 'restore', string> = {
  backup: 'the database is PostgreSQL (--database): back it up with pg_dump (pg_dump --format=custom --file=riohub.dump <url>); riohub backup copies the SQLite file only',
  restore: 'the database is PostgreSQL (--database): restore it with pg_restore (pg_restore --clean --dbname=<url> riohub.dump), with no hub running on it; riohub restore puts an SQLite file in place only',
};

/** Whether the arguments ask for a password reset rather than a server. */
export function isResetPassword(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--reset-password' || arg.startsWith('--reset-password='));
}

/** `riohub --reset-password <user> [--data <dir>] [--database <url>]`. */
export function resetPasswordCommand(env: NodeJS.ProcessEnv): CommandCli {
  return {
    program: 'riohub',
    usage: USAGE,
    async run(argv) {
      const { data, database, user } = parseResetArgs(argv, env) as ResetPasswordConfig;
      const password = await resetPassword(data, database, user);
      // Shown once, on the terminal only: it is never logged.
      return [`riohub: user "${user}" has the new password ${password} (shown only now); their sessions are ended`];
    },
  };
}
