/** Waiting for a condition in tests: never a fixed sleep, always a bound and what was awaited. */

/**
 * Resolves once `test` holds, tried every 100 ms; a test that throws (not there yet) is tried again.
 * Past `timeoutMs` it fails naming `what` (a function: described when it fails) and the last error.
 */
export async function waitUntil(test: () => Promise<boolean>, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      if (await test()) return;
    } catch (error) {
      last = `: ${(error as Error).message}`;
    }
    if (Date.now() > deadline) throw new Error(`not ${typeof what === 'string' ? what : what()} within ${timeoutMs} ms${last}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
