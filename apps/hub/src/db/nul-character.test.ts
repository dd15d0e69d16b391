// A remote's texts holding a NUL character (U+0000): JSON carries one, SQLite's text holds it,
// PostgreSQL's does not. What the hub stores of them (a write's old value and the remote's
// reason, a logger's unit) is kept on either store with U+FFFD in its place, and nothing fails.
import type { LoggerView, WriteRecord } from '@riohub/hub-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedRemote, type ScriptedRemote } from '../testing/scripted-remote';
import { eventually, startTestHub, type TestHub } from '../testing/test-hub';

const PASSWORD = 'nul-remote-pw';
const STATE = JSON.stringify({ hsycostate: { timestamp: 1000, topotime: 1, io: { 'serial.text': 'a\u0000b' } } });
const REFUSAL = JSON.stringify({ hsycoresult: { ok: false, error: 'busy\u0000now' } });
const LOGGERS = JSON.stringify({ hsycologs: [{ id: 'energy', type: 'counter', unit: 'k\u0000Wh' }] });
const PAGE = JSON.stringify({ hsycolog: { id: 'energy', type: 'counter', unit: 'k\u0000Wh', samples: [[1_000, 1], [2_000, 2]], more: false } });

describe('a remote whose texts hold a NUL character', () => {
  let hub: TestHub;
  let remote: ScriptedRemote;

  beforeAll(async () => {
    remote = await startScriptedRemote((request, response) => {
      const verb = new URL(request.url ?? '/', 'http://x').pathname.split('/').at(-1);
      const send = (status: number, body: string) => response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(body);
      if (verb === 'rioget') {
        const timestamp = Number(decodeURIComponent(new URL(request.url ?? '/', 'http://x').search.slice(1)).split('*')[1]);
        // After the whole state, nothing changes: held briefly, as a long poll is.
        if (timestamp === 1) send(200, STATE);
        else setTimeout(() => send(200, JSON.stringify({ hsycostate: { timestamp: 1000, topotime: 1 } })), 300);
      } else if (verb === 'rioset') send(409, REFUSAL);
      else if (verb === 'riologs') send(200, LOGGERS);
      else if (verb === 'riolog') send(200, PAGE);
      else send(404, '{}');
    }, 'http');
    hub = await startTestHub();
    await hub.admin.addSim('nul', remote, PASSWORD, { discovery: false, dataloggers: 'energy' });
  });
  afterAll(async () => {
    await hub?.close();
    await remote?.close();
  });

  it("records a write to a point whose value holds one, with the remote's refusal that holds one too", async () => {
    await eventually(() => hub.admin.point('nul.serial.text'), (point) => point.state === 'ok');
    const write = await hub.admin.call('POST', '/api/writes', { name: 'nul.serial.text', value: 'c' });
    expect(write.status).toBe(409);
    const [logged] = await hub.admin.data<WriteRecord[]>('GET', '/api/writes?limit=1');
    expect(logged).toMatchObject({ name: 'nul.serial.text', oldValue: 'a\uFFFDb', newValue: 'c', status: 'refused' });
    expect(logged?.error).toContain('busy\uFFFDnow');
    // The answer says what the log keeps: its record and its reason alike.
    expect(write.body).toEqual({ ok: false, error: { code: 'remote-refused', message: logged?.error, record: logged } });
    // The point itself, held in memory, is as the remote says.
    expect((await hub.admin.point('nul.serial.text')).value).toBe('a\u0000b');
  });

  it("replicates a logger whose unit holds one", async () => {
    const logger = await eventually(
      async () => (await hub.admin.data<LoggerView[]>('GET', '/api/loggers')).find((view) => view.id === 'nul.energy'),
      (view) => view?.replication === 'up to date',
    );
    expect(logger).toMatchObject({ unit: 'k\uFFFDWh', samples: 2 });
  });
});
