/** Runs the riohub command line as a real process, as an operator would. */
import { type ChildProcess, spawn } from 'node:child_process';
import { appArgs } from '@riohub/sim-launcher';

export interface RiohubRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A riohub process started and left running: its output so far, and its exit code once it ends. */
export interface RiohubProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

/**
 * Starts `riohub <args>`; killed after `timeoutMs`, so that a command line that should have been
 * refused, but started a server that never exits, ends the test rather than hanging it.
 */
export function startRiohub(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 60_000): RiohubProcess {
  const child = spawn(process.execPath, appArgs('hub', args), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  // On 'close', once its output is read whole.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Runs `riohub <args>` to its end, for the one-shot commands. */
export async function runRiohub(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<RiohubRun> {
  const run = startRiohub(args, env, timeoutMs);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
