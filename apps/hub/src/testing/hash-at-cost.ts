/** Password hashes as an earlier, cheaper riohub stored them, for tests of their upgrade. */
import { randomBytes, scryptSync } from 'node:crypto';

/** `password` hashed in riohub's stored format at scrypt cost `N` (r=8, p=1). */
export function hashAtCost(password: string, N: number): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, { N, r: 8, p: 1 });
  return ['scrypt', N, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
}
