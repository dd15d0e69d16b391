/**
 * Secrets the hub must be able to read back (remote passwords, its own Remote I/O API password),
 * sealed with AES-256-GCM under a key kept apart from the database, so that a copy of the
 * database file alone gives none of them away.
 *
 * A sealed value is `enc:v1:` then base64url(nonce ‖ tag ‖ ciphertext), with a random 96-bit
 * nonce per value and the value's place (`remote:<name>`, `served-api`) as associated data, so a
 * sealed value moved to another row does not open. A value without the prefix is one stored
 * before secrets were sealed: it is read as it is and sealed at the next start.
 *
 * The key: `RIOHUB_SECRET_KEY` (32 bytes, as 64 hex digits or base64), or else `<data>/secret.key`
 * (64 hex digits), created with mode 0600 on the first start; an existing key file readable by
 * others is restricted to its owner, or refused when that fails. The key is never logged.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { placeWithoutReplacing } from './place-file';

/** The environment variable that holds the key, when it is not kept in the data folder. */
export const SECRET_KEY_ENV = 'RIOHUB_SECRET_KEY';
/** The key file in the data folder, when `RIOHUB_SECRET_KEY` is not set. */
export const SECRET_KEY_FILE = 'secret.key';

const PREFIX = 'enc:v1:';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** The key is missing, malformed or unprotected: the hub does not start. */
export class SecretKeyError extends Error {
  override readonly name = 'SecretKeyError';
}

/** A sealed value that this key does not open (sealed under another key, or altered). */
export class SecretUnreadableError extends Error {
  override readonly name = 'SecretUnreadableError';
}

export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new SecretKeyError(`a secret key is ${KEY_BYTES} bytes`);
    this.key = Buffer.from(key);
  }

  /** Whether a stored value is sealed (else it is plain text from before sealing). */
  static isSealed(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }

  /** The empty string stays empty: it means "no password", which is no secret. */
  seal(plain: string, place: string): string {
    if (plain === '') return '';
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(place, 'utf8'));
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([nonce, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  /** The plain value of a stored one; throws SecretUnreadableError when this key cannot open it. */
  open(stored: string, place: string): string {
    if (!SecretBox.isSealed(stored)) return stored;
    const bytes = Buffer.from(stored.slice(PREFIX.length), 'base64url');
    if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new SecretUnreadableError('the stored secret is damaged');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(place, 'utf8'));
      decipher.setAuthTag(bytes.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretUnreadableError('the stored secret was sealed with another key');
    }
  }
}

/** 32 bytes from 64 hex digits or base64 (standard or URL-safe); `undefined` when it is neither. */
export function parseSecretKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed, 'base64');
  return bytes.length === KEY_BYTES ? bytes : undefined;
}

/**
 * The key from `RIOHUB_SECRET_KEY`, else from `<data>/secret.key`, made on the first start.
 * `dataDir` must exist. Messages name where the key came from, never what it is.
 */
export function loadSecretKey(dataDir: string, env: NodeJS.ProcessEnv): { key: Buffer; source: 'environment' | 'file' } {
  const fromEnv = env[SECRET_KEY_ENV];
  if (fromEnv !== undefined) {
    const key = parseSecretKey(fromEnv);
    if (!key) {
      throw new SecretKeyError(
        `${SECRET_KEY_ENV} is not a key: it must be 32 random bytes, as 64 hex digits or base64 (make one with: openssl rand -base64 32)`,
      );
    }
    return { key, source: 'environment' };
  }
  const path = join(dataDir, SECRET_KEY_FILE);
  if (!existsSync(path)) createKeyFile(path);
  return { key: readKeyFile(path), source: 'file' };
}

function createKeyFile(path: string): void {
  // Written whole under a name of its own, then linked to the key's name, which fails if it exists:
  // of hubs starting on one folder at once, one makes the key and the others read it, never a file
  // created and not yet written (opened with 'wx', one in eight read it empty).
  const draft = `${path}.${process.pid}.${threadId}.${randomBytes(4).toString('hex')}`;
  const fd = openSync(draft, 'wx', 0o600);
  try {
    writeSync(fd, `${randomBytes(KEY_BYTES).toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // False when another hub's key came first: that one is read.
  placeWithoutReplacing(draft, path);
}

function readKeyFile(path: string): Buffer {
  const stats = statSync(path);
  if (!stats.isFile()) throw new SecretKeyError(`${path} is not a file: it should hold the hub's secret key`);
  if ((stats.mode & 0o077) !== 0) {
    try {
      chmodSync(path, 0o600);
    } catch {
      throw new SecretKeyError(`${path} can be read by other users and cannot be restricted: run chmod 600 ${path} as its owner`);
    }
  }
  const key = parseSecretKey(readFileSync(path, 'utf8'));
  if (!key) throw new SecretKeyError(`${path} does not hold a key (64 hex digits); restore it from a backup, or set ${SECRET_KEY_ENV}`);
  return key;
}
