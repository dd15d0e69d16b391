/** What the release and container tests share: commands that must succeed, bounded waits, sign-in. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

/** Runs a command to its end (at most `timeoutMs`); its output goes to the test's stderr. Throws on failure. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): string {
  return execFileSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    timeout: options.timeoutMs ?? 300_000,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  }).toString();
}

/** Polls `check` until it returns a value (not undefined), for at most `timeoutMs`; then throws with `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s${lastError ? ` (last: ${String(lastError)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Starts a server and resolves with the URL of its `… listening on <url>` line (at most 60 s). */
export function startServer(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ child: ChildProcess; url: string; stop(): Promise<void> }> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${command} did not print its listening line within 60 s:\n${out}\n${err}`));
    }, 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)\n/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1], stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with code ${code} before listening:\n${out}\n${err}`));
    });
  });
}

/** A signed-in client of a hub's REST API (no Origin: as curl or a script). */
export async function signIn(base: string, name: string, password: string): Promise<<T>(path: string, init?: { method?: string; body?: unknown }) => Promise<{ status: number; body: T }>> {
  const session = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  if (session.status !== 200) throw new Error(`sign-in at ${base}: ${session.status} ${await session.text()}`);
  const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return async <T>(path: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { cookie, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.body === undefined ? null : JSON.stringify(init.body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
}
