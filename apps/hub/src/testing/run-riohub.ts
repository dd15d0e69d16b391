/** Runs the riohub command line as a real process, as an operator would, for its one-shot commands. */
import { spawn } from 'node:child_process';
import { appArgs } from '@riohub/sim-launcher';

export interface RiohubRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `riohub <args>` to its end (killed after `timeoutMs`: a command must not hang). */
export function runRiohub(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<RiohubRun> {
  const child = spawn(process.execPath, appArgs('hub', args), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}
