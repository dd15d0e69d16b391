/** Starts the simulator as a real process, as an operator would, and stops it with a signal. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appArgs } from './layout';
import { exitedBeforeListening } from './startup-failure';

export interface SimProcess {
  /** The URL from its "listening on" line. */
  url: string;
  /** The data folder it was given (certificate, instance id, logger history). */
  dataDir: string;
  /** Its certificate, to trust it by pinning (undefined with --http). */
  certificate: string | undefined;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnSimOptions {
  /** Environment added to the current one. */
  env?: Record<string, string>;
  /** Keep this data folder (default: a new temporary one, removed on stop). */
  dataDir?: string;
}

/** Runs `riohub-sim` with `args` (plus `--port 0` and a data folder unless given). */
export async function spawnSim(args: readonly string[], options: SpawnSimOptions = {}): Promise<SimProcess> {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'riohub-test-sim-'));
  const fullArgs = [...args];
  if (!fullArgs.includes('--port')) fullArgs.push('--port', '0');
  if (!fullArgs.includes('--data')) fullArgs.push('--data', dataDir);
  const child = runSimCli(fullArgs, options.env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));

  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start within 30 s:\n${stderr}`)), 30_000);
    const untilListening = () => {
      const match = /riohub-sim listening on (\S+)\n/.exec(stdout);
      if (!match?.[1]) return;
      clearTimeout(timer);
      // Said once: the rest of its output is only collected, not searched again.
      child.stdout?.off('data', untilListening);
      resolveUrl(match[1]);
    };
    child.stdout?.on('data', untilListening);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(exitedBeforeListening('the simulator', code, signal, stderr.split('\n')));
    });
  });

  return {
    url,
    dataDir,
    certificate: url.startsWith('https:') ? readFileSync(join(dataDir, 'cert.pem'), 'utf8') : undefined,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Runs the simulator's command line as it is, for tests of the command line itself. */
export function runSimCli(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, appArgs('sim', args), {
    env: { ...withoutHubSecrets(process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The hub's own secrets stay in the hub: a simulator it starts (demo mode) inherits none of them. */
function withoutHubSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = { ...env };
  delete rest['RIOHUB_SECRET_KEY'];
  delete rest['RIOHUB_ADMIN_PASSWORD'];
  return rest;
}
