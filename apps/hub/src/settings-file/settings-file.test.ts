// The settings file read from real files: what a valid one declares, and every problem of an invalid one at its line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_REMOTE_OPTIONS } from '@riohub/hub-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSettingsFile, SettingsFileError, type Problem } from './settings-file';

const FINGERPRINT = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'riohub-settings-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(folder, name);
  writeFileSync(file, text);
  return file;
}

/** The problems a file has, as `line: field: message`. */
function problemsOf(text: string, env: NodeJS.ProcessEnv = {}, besides: Record<string, string> = {}): string[] {
  for (const [name, content] of Object.entries(besides)) write(name, content);
  const file = write('riohub.yaml', text);
  try {
    readSettingsFile(file, env);
  } catch (error) {
    if (!(error instanceof SettingsFileError)) throw error;
    return error.problems.map((problem: Problem) => `${problem.line}: ${problem.field}: ${problem.message}`);
  }
  throw new Error('the file was accepted');
}

describe('settings file', () => {
  it('names the database the hub keeps its store in, and refuses anything but sqlite or a postgres:// URL', () => {
    expect(readSettingsFile(write('pg.yaml', 'database: postgres://riohub@db.example:5432/riohub\n'), {}).database).toBe('postgres://riohub@db.example:5432/riohub');
    expect(readSettingsFile(write('lite.yaml', 'database: sqlite\n'), {}).database).toBeUndefined();
    expect(problemsOf('remotes: []\ndatabase: mysql://db/riohub\n')).toEqual(['2: database: must be sqlite or a postgres:// URL']);
    // Shaped as a URL but not one (a port past 65535; an unescaped @ in the password): told here,
    // as --database tells it, not as "Invalid URL" once the hub has started applying the file.
    expect(problemsOf('database: postgres://riohub:pw@127.0.0.1:99999/riohub\n')).toEqual([
      "1: database: the PostgreSQL URL cannot be read (postgres://user:password@host:5432/name; %-escape a password's @, :, / and #)",
    ]);
  });

  it('checks the MQTT bridge as the REST API does, its password with it, before anything is applied', () => {
    expect(
      problemsOf(
        `mqtt:
  url: mqtt://127.0.0.1:1883
  username: "bridge\\0"
  passwordEnv: MQTT_PASSWORD
  baseTopic: "site\\ud800"
  discoveryPrefix: "ha/\\udc00"
`,
        { MQTT_PASSWORD: 'p'.repeat(257) },
      ),
    ).toEqual([
      '3: mqtt.username: is not valid text: it holds a NUL character (U+0000)',
      '4: mqtt.passwordEnv: must be at most 256 characters',
      '5: mqtt.baseTopic: is not valid text: it holds half a character (a lone UTF-16 surrogate)',
      '6: mqtt.discoveryPrefix: is not valid text: it holds half a character (a lone UTF-16 surrogate)',
    ]);
  });

  it("reads the issue's example: remotes with options, users, the served API, passwords from the environment and files", () => {
    write('ops-password', 'ops-secret-pw\n');
    const file = write(
      'riohub.yaml',
      `remotes:
  - name: lobby
    host: 10.0.0.12
    port: 443
    tls: pin
    fingerprint: "${FINGERPRINT}"
    passwordEnv: LOBBY_PASSWORD
    options: { ui: true, dataloggers: "energy;temperature" }
users:
  - { name: ops, role: operator, passwordFile: ops-password }
servedApi: { passwordEnv: SERVED_PASSWORD, address: "10.0.0.0/8", control: true }
`,
    );
    const settings = readSettingsFile(file, { LOBBY_PASSWORD: 'lobby-secret', SERVED_PASSWORD: 'served-secret' });
    expect(settings.prune).toBe(false);
    expect(settings.remotes).toEqual([
      {
        settings: {
          name: 'lobby',
          enabled: true,
          host: '10.0.0.12',
          port: 443,
          tls: 'pin',
          fingerprint: FINGERPRINT,
          options: { ...DEFAULT_REMOTE_OPTIONS, ui: true, dataloggers: 'energy;temperature' },
        },
        password: 'lobby-secret',
        fingerprintGiven: true,
        path: ['remotes', 0],
      },
    ]);
    // A password file's one trailing line break is not part of the password; its path is relative to the settings file.
    expect(settings.users).toEqual([{ name: 'ops', role: 'operator', password: 'ops-secret-pw', path: ['users', 0] }]);
    expect(settings.servedApi).toEqual({
      settings: { address: '10.0.0.0/8', control: true, ioFilter: '', uiFilter: '' },
      password: 'served-secret',
      path: ['servedApi'],
    });
    expect(settings.lineOf(['users', 0, 'role'])).toBe(10);
  });

  it('leaves a section out of the file undefined (left alone), and an empty one an empty list', () => {
    const settings = readSettingsFile(write('riohub.yaml', 'prune: true\nusers:\n'), {});
    expect(settings).toMatchObject({ prune: true, remotes: undefined, users: [], servedApi: undefined });
    expect(readSettingsFile(write('empty.yaml', ''), {})).toMatchObject({ prune: false, remotes: undefined, users: undefined });
  });

  it('names the line and field of every value the REST API would refuse, all at once', () => {
    expect(
      problemsOf(
        `remotes:
  - name: lobby
    host: 10.0.0.12
    port: 70000
    passwordEnv: LOBBY_PASSWORD
    options:
      drift: -1
      colour: blue
  - name: Floor 2
    host: "not a host!"
    tls: sometimes
    passwordEnv: LOBBY_PASSWORD
users:
  - name: ops
    role: superuser
    passwordEnv: SHORT
servedApi:
  address: "999.1.1.1"
  control: maybe
`,
        { LOBBY_PASSWORD: 'lobby-secret', SHORT: 'short' },
      ),
    ).toEqual([
      '4: remotes[0].port: must be 1 to 65535',
      '7: remotes[0].options.drift: must be 0 to 9999',
      '8: remotes[0].options.colour: unknown field',
      '9: remotes[1].name: must be lower-case letters, digits, _ or -',
      '10: remotes[1].host: must be a host name or an IP address',
      '11: remotes[1].tls: must be verify, pin or http',
      '15: users[0].role: must be viewer, operator or admin',
      '16: users[0].passwordEnv: must be at least 8 characters',
      '18: servedApi.address: must be addresses, CIDR ranges or *, separated by commas',
      '19: servedApi.control: Invalid input: expected boolean, received string',
    ]);
  });

  it('refuses a password written in the file, a missing source, an unset variable or an unreadable or empty file (never repeating the name or path given), and both sources at once', () => {
    const problems = problemsOf(
      `remotes:
  - name: lobby
    host: 127.0.0.1
    password: written-here-secret
  - name: floor2
    host: 127.0.0.1
  - name: roof
    host: 127.0.0.1
    passwordEnv: ROOF_PASSWORD
  - name: cellar
    host: 127.0.0.1
    passwordFile: /nonexistent/cellar
  - name: garage
    host: 127.0.0.1
    passwordEnv: GARAGE
    passwordFile: garage
  - name: attic
    host: 127.0.0.1
    passwordEnv: Attic_secret_2024
  - name: cupola
    host: 127.0.0.1
    passwordFile: Cupola-secret-2024
  - name: vault
    host: 127.0.0.1
    passwordFile: vault-password
`,
      { GARAGE: 'garage-secret' },
      { 'vault-password': '\n' },
    );
    expect(problems).toEqual([
      '4: remotes[0].password: a password is never written in the file: name where it is with passwordEnv or passwordFile',
      '5: remotes[1]: needs a password: passwordEnv or passwordFile',
      '9: remotes[2].passwordEnv: names an environment variable that is not set',
      '12: remotes[3].passwordFile: names a file that cannot be read (ENOENT)',
      '16: remotes[4].passwordFile: give passwordEnv or passwordFile, not both',
      // A password typed where the variable's name or the file's path goes is not repeated back;
      // where a relative path is read from is said.
      '19: remotes[5].passwordEnv: names an environment variable that is not set',
      `22: remotes[6].passwordFile: names a file that cannot be read (ENOENT; a relative path is read from ${folder})`,
      `25: remotes[7].passwordFile: names a file that is empty`,
    ]);
    expect(problems.join('\n')).not.toContain('secret');
  });

  it('refuses two entries of one name, unknown sections, remotes with neither io nor ui or public without io, and YAML it cannot parse', () => {
    expect(
      problemsOf(
        `bridges: { host: broker }
remotes:
  - { name: lobby, host: 127.0.0.1, passwordEnv: P }
  - { name: lobby, host: 127.0.0.2, passwordEnv: P, options: { io: false } }
  - { name: stock, host: 127.0.0.3, passwordEnv: P, options: { api: public, io: false, ui: true } }
users:
  - { name: ops, role: viewer }
  - { name: ops, role: admin }
`,
        { P: 'a-password' },
      ),
    ).toEqual([
      '1: bridges: unknown section (the sections are database, prune, remotes, users, servedApi, mqtt)',
      '4: remotes[1].options: io or ui must be on',
      '5: remotes[2].options.io: must be on when api is public: part A reads datapoints only',
      '8: users[1].name: another user is named ops (line 7)',
    ]);
    expect(problemsOf('remotes:\n  - name: lobby\n    host: [unclosed\n')).toEqual(['4: (YAML): Flow sequence in block collection must be sufficiently indented and end with a ]']);
    expect(problemsOf('users:\n  - { name: a, role: admin }\nusers: []\n')).toEqual(['3: (YAML): Map keys must be unique']);
  });

  it('says which file could not be read', () => {
    expect(() => readSettingsFile(join(folder, 'missing.yaml'), {})).toThrow(/missing\.yaml:0: \(file\): cannot be read \(ENOENT\)/);
  });
});
