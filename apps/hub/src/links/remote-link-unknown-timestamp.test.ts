// A remote that answers a timestamp it does not know with an older one and no datapoints: by part
// A that would be its whole state, and empty. The link reads the whole state instead of deleting
// everything on that guess, and a remote that keeps doing it is shown failing.
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedRemote, type ScriptedRemote } from '../testing/scripted-remote';
import { eventually, startTestHub, type TestHub } from '../testing/test-hub';

const PASSWORD = 'odd-remote-pw';
const WHOLE_STATE = '{"hsycostate":{"timestamp":1000,"topotime":1,"io":{"dummy.light.1":"1","dummy.light.2":"0"}}}';
/** An idle answer at a time older than the client's: as if the server had restarted with its clock set back. */
const OLDER_IDLE = '{"hsycostate":{"timestamp":500,"topotime":1}}';

describe('an answer older than the timestamp sent, without "full"', () => {
  let hub: TestHub | undefined;
  let remote: ScriptedRemote | undefined;
  afterEach(async () => {
    await hub?.close();
    await remote?.close();
  });

  /** A part-A server on loopback; `answer` gets the timestamp asked for and how many asked before. */
  async function oddRemote(answer: (timestamp: number, asked: readonly number[]) => string | undefined): Promise<number[]> {
    const asked: number[] = [];
    remote = await startScriptedRemote((request, response) => {
      const timestamp = Number(decodeURIComponent(new URL(request.url ?? '/', 'http://x').search.slice(1)).split('*')[1]);
      const body = answer(timestamp, asked);
      asked.push(timestamp);
      // Nothing to say: held as a long-poll would be, briefly.
      if (body === undefined) setTimeout(() => response.writeHead(200).end('{"hsycostate":{"timestamp":1000,"topotime":1}}'), 300);
      else response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
    }, 'http');
    hub = await startTestHub();
    await hub.admin.addSim('odd', remote, PASSWORD, { api: 'public' });
    return asked;
  }

  it('is not taken for an empty whole state: the link reads the whole state and keeps every datapoint', async () => {
    // The first poll after the whole state gets the older idle answer; later ones are ordinary.
    const asked = await oddRemote((timestamp, before) => (timestamp === 1 ? WHOLE_STATE : before.includes(1000) ? undefined : OLDER_IDLE));
    await eventually(async () => asked.filter((timestamp) => timestamp === 1000).length, (count) => count >= 3);
    // After the odd answer it asked for the whole state again, then went on polling.
    expect(asked.slice(0, 3)).toEqual([1, 1000, 1]);
    expect(await hub?.admin.point('odd.dummy.light.1')).toMatchObject({ value: '1', state: 'ok' });
    expect(await hub?.admin.point('odd.dummy.light.2')).toMatchObject({ value: '0', state: 'ok' });
    expect((await hub?.admin.remote('odd'))?.status.connection).toBe('online');
  });

  it('shows a remote that answers every timestamp with an older one as failing, keeping its last values stale', async () => {
    await oddRemote((timestamp) => (timestamp === 1 ? WHOLE_STATE : OLDER_IDLE));
    const remote = await eventually(() => (hub as TestHub).admin.remote('odd'), (view) => view.status.error !== undefined);
    expect(remote.status.connection).toBe('offline');
    expect(remote.status.error?.detail ?? remote.status.error?.message).toContain('answers every timestamp with an older one');
    expect(await hub?.admin.point('odd.dummy.light.1')).toMatchObject({ value: '1', state: 'stale' });
  });
});
