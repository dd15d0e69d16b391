/** Why an app's process ended before it listened, in the error a test sees. */

/**
 * Lines of stderr, the first and the last of them when there are many: a refused command line
 * says why first (then its usage), a crash last (its stack).
 */
function shortened(lines: string[], first = 10, last = 30): string {
  if (lines.length <= first + last) return lines.join('\n');
  return [...lines.slice(0, first), `… ${lines.length - first - last} lines …`, ...lines.slice(-last)].join('\n');
}

/**
 * `the hub exited with code 2 before it listened; it wrote to stderr: …`. Made at the child's
 * 'close', not its 'exit': its stderr has been read whole by then (Node's 'exit' can come first).
 */
export function exitedBeforeListening(app: string, code: number | null, signal: NodeJS.Signals | null, stderrLines: string[]): Error {
  const said = shortened(stderrLines.filter((line) => line !== ''));
  return new Error(`${app} exited with ${signal ?? `code ${code}`} before it listened${said === '' ? '' : `; it wrote to stderr:\n${said}`}`);
}
