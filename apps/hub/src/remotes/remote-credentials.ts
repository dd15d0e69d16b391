/** When a stored password may go with an entry: only to the server it was stored for. */
import { ERROR_CODES, fail, type ApiError, type RemoteSettings } from '@riohub/hub-api';

/** Whether two entries point at the same server, so that a stored password may go to it. */
export function sameServer(a: RemoteSettings, b: RemoteSettings): boolean {
  return a.host === b.host && a.port === b.port && a.tls === b.tls && (a.tls !== 'pin' || a.fingerprint === b.fingerprint || a.fingerprint === '');
}

export function passwordAgain(): { ok: false; error: ApiError } {
  return fail(ERROR_CODES.INVALID, 'the address or security changed: enter the password again', { password: 'is required for a new server' });
}
