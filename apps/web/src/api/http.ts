/** REST calls to the hub: every answer is a Result from @riohub/hub-api, never a thrown error. */
import { ERROR_CODES, fail, type Result } from '@riohub/hub-api';

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<Result<T>> {
  try {
    const response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as Result<T>;
  } catch (error) {
    return fail(ERROR_CODES.CONNECTION_FAILED, `the hub did not answer: ${(error as Error).message}`);
  }
}
