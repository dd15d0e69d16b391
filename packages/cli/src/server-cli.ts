/**
 * A server's life on the command line: `--help`, a usage error with exit code 2, the ready
 * line(s) on stdout, logs on stderr, a clean stop on SIGINT or SIGTERM (exit 0) within
 * STOP_DEADLINE_MS or a forced one (exit 1), and an uncaught error logged and ended with exit 1,
 * so that a supervisor restarts the process rather than leave it running in an unknown state.
 */
import { UsageError } from './flags';

/** How long a clean stop may take before the process ends anyway (a supervisor's own grace is often 10 s). */
export const STOP_DEADLINE_MS = 9_000;

export interface StartedServer {
  app: { log: { info(fields: object, message: string): void; error(fields: object, message: string): void; fatal(fields: object, message: string): void } };
  close(): Promise<void>;
}

export interface ServerCli<Config, Server extends StartedServer> {
  /** The program's name, before every message. */
  program: string;
  usage: string;
  parse(argv: readonly string[]): Config;
  start(config: Config): Promise<Server>;
  /** What it prints on stdout once it is up (the last line says where it listens). */
  readyLines(server: Server): string[];
}

export function runServerCli<Config, Server extends StartedServer>(cli: ServerCli<Config, Server>): void {
  main(cli).catch((error: unknown) => {
    console.error(`${cli.program}:`, error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

async function main<Config, Server extends StartedServer>(cli: ServerCli<Config, Server>): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(cli.usage);
    return;
  }
  let config: Config;
  try {
    config = cli.parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${cli.program}: ${error.message}\n\n${cli.usage}`);
    process.exit(2);
  }

  // Signals are handled from the start: with no handler, a signal that arrives between the ready
  // line and the handler's registration would kill the process uncleanly.
  let stopping = false;
  let signalWhileStarting: NodeJS.Signals | undefined;
  const running: { server?: Server } = {};
  const stop = (signal: NodeJS.Signals) => {
    const started = running.server;
    if (!started) {
      // Still starting: it stops as soon as it is up, and a start that hangs ends all the same.
      if (signalWhileStarting === undefined) {
        setTimeout(() => {
          console.error(`${cli.program}: not started within ${STOP_DEADLINE_MS / 1000} s of ${signal}: exiting anyway`);
          process.exit(1);
        }, STOP_DEADLINE_MS).unref();
      }
      signalWhileStarting ??= signal;
      return;
    }
    if (stopping) return;
    stopping = true;
    started.app.log.info({ signal }, 'stopping');
    // Whatever hangs (a socket that will not close, a page that will not finish), the process ends.
    setTimeout(() => {
      started.app.log.error({ deadlineMs: STOP_DEADLINE_MS }, 'not stopped in time: exiting anyway');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    started.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`${cli.program}: error while stopping:`, error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // After an error nothing caught, the process's state is unknown: say what it was, and end.
  const fatal = (kind: string) => (error: unknown) => {
    const log = running.server?.app.log;
    if (log) log.fatal({ err: error }, `${kind}: exiting, to be restarted by the supervisor`);
    else console.error(`${cli.program}: ${kind}:`, error);
    process.exit(1);
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled promise rejection'));

  running.server = await cli.start(config);
  if (signalWhileStarting) return stop(signalWhileStarting);
  for (const line of cli.readyLines(running.server)) process.stdout.write(`${line}\n`);
}
