// Runs one of the benches' helper scripts (lib/*.ts) in a process of its own, so that its cost is
// not the measuring process's; resolves with the JSON it prints last.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function runBenchScript<T>(script: 'mqtt-load' | 'probe-writer', args: readonly string[], env: Record<string, string> = {}): Promise<T> {
  const file = fileURLToPath(new URL(`./${script}.ts`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(output.trim().split('\n').at(-1) as string) as T) : reject(new Error(`${script} exited with ${code}`))));
  });
}
