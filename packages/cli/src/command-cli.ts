/**
 * A one-shot command's life on the command line (`riohub backup`, `--reset-password`): `--help`,
 * a usage error with exit code 2, a known failure as one message with exit code 1, and what it
 * has to say on stdout, exit 0.
 */
import { UsageError } from './flags';

/** A failure the person at the terminal can act on: its message alone is shown (exit code 1). */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

export interface CommandCli {
  /** The program's name, before every message. */
  program: string;
  usage: string;
  /** Does the work; the lines it returns go to stdout, each on its own line. */
  run(argv: readonly string[]): Promise<readonly string[]>;
}

export function runCommandCli(cli: CommandCli, argv: readonly string[]): void {
  if (argv.includes('--help')) {
    process.stdout.write(cli.usage);
    return;
  }
  cli.run(argv).then(
    (lines) => {
      for (const line of lines) process.stdout.write(`${line}\n`);
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${cli.program}: ${error.message}\n\n${cli.usage}`);
        process.exitCode = 2;
      } else if (error instanceof CommandError) {
        process.stderr.write(`${cli.program}: ${error.message}\n`);
        process.exitCode = 1;
      } else {
        console.error(`${cli.program}:`, error);
        process.exitCode = 1;
      }
    },
  );
}
