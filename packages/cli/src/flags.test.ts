// Flags from the command line, and from the environment (`RIOHUB_<FLAG>`) where the line leaves them out.
import { describe, expect, it } from 'vitest';
import { environmentName, logLevelFrom, parseFlags, UsageError } from './flags';

const OPTIONS = {
  port: { type: 'string', default: '8080' },
  'allowed-hosts': { type: 'string', default: '' },
  tls: { type: 'boolean', default: false },
  cert: { type: 'string' },
} as const;

const fromEnv = (env: Record<string, string>, argv: string[] = []) => parseFlags(argv, OPTIONS, { prefix: 'RIOHUB_', env });

describe('flags from the environment', () => {
  it('names each flag RIOHUB_ and the flag in capitals, dashes as underscores', () => {
    expect(environmentName('RIOHUB_', 'allowed-hosts')).toBe('RIOHUB_ALLOWED_HOSTS');
    expect(environmentName('RIOHUB_', 'port')).toBe('RIOHUB_PORT');
  });

  it('reads a flag the command line leaves out from the environment, else its default', () => {
    expect(fromEnv({ RIOHUB_PORT: '9000', RIOHUB_ALLOWED_HOSTS: 'hub.example' })).toEqual({
      port: '9000',
      'allowed-hosts': 'hub.example',
      tls: false,
    });
    expect(fromEnv({})).toEqual({ port: '8080', 'allowed-hosts': '', tls: false });
    expect(fromEnv({ RIOHUB_CERT: '/etc/hub.pem' }).cert).toBe('/etc/hub.pem');
  });

  it('lets the command line win over the environment', () => {
    expect(fromEnv({ RIOHUB_PORT: '9000', RIOHUB_TLS: 'true' }, ['--port', '7000'])).toMatchObject({ port: '7000', tls: true });
    expect(fromEnv({ RIOHUB_PORT: '9000' }, ['--port=0']).port).toBe('0');
  });

  it('takes true/false or 1/0 for a switch, and refuses anything else naming the variable', () => {
    expect(fromEnv({ RIOHUB_TLS: 'true' }).tls).toBe(true);
    expect(fromEnv({ RIOHUB_TLS: '1' }).tls).toBe(true);
    expect(fromEnv({ RIOHUB_TLS: 'false' }).tls).toBe(false);
    expect(fromEnv({ RIOHUB_TLS: '0' }).tls).toBe(false);
    expect(() => fromEnv({ RIOHUB_TLS: 'yes please' })).toThrow(new UsageError('RIOHUB_TLS "yes please": expected true or false (or 1 or 0)'));
  });

  it('still refuses unknown flags and takes no environment without a prefix', () => {
    expect(() => fromEnv({}, ['--bogus'])).toThrow(UsageError);
    expect(parseFlags([], OPTIONS).port).toBe('8080');
  });
});

describe('the log level', () => {
  it('takes a pino level or silent from RIOHUB_LOG_LEVEL, info when unset', () => {
    expect(logLevelFrom({})).toBe('info');
    expect(logLevelFrom({ RIOHUB_LOG_LEVEL: 'trace' })).toBe('trace');
    expect(logLevelFrom({ RIOHUB_LOG_LEVEL: 'silent' })).toBe('silent');
  });

  it('refuses any other, listing the levels most severe first', () => {
    expect(() => logLevelFrom({ RIOHUB_LOG_LEVEL: 'loud' })).toThrow(
      new UsageError('RIOHUB_LOG_LEVEL "loud": expected one of fatal, error, warn, info, debug, trace, silent'),
    );
  });
});
