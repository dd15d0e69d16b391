// What the hub says of a logger agrees with itself: a logger shown `up to date` shows the samples
// it is up to date with, however a read of /api/loggers falls against the pages being stored.
// A remote on loopback over real HTTPS lists many loggers of one page each, all stored at once.
import type { LoggerView } from '@riohub/hub-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedRemote, type ScriptedRemote } from '../testing/scripted-remote';
import { startTestHub, type TestHub } from '../testing/test-hub';

const PASSWORD = 'views-remote-pw';
const IDS = Array.from({ length: 40 }, (_, index) => `meter${index}`);
const SAMPLES = [[1_000, 1], [2_000, 2], [3_000, 3]];
const READERS = 6;

describe("a logger's view", () => {
  let hub: TestHub;
  let remote: ScriptedRemote;
  let answerPages: () => void;
  const pagesAsked = new Promise<void>((resolve) => (answerPages = resolve));

  beforeAll(async () => {
    remote = await startScriptedRemote((request, response) => {
      const [verb = '', query = ''] = (request.url ?? '').slice('/x/'.length).split('?');
      const send = (body: object) => response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
      if (verb === 'rioget') {
        // The whole state once, then nothing changes: held a while, as a long poll is.
        if (query.split('*')[1] === '1') send({ hsycostate: { timestamp: 1000, topotime: 1, io: { 'virtual.1': '0' }, full: true } });
        else setTimeout(() => send({ hsycostate: { timestamp: 1000, topotime: 1 } }), 1_000);
      } else if (verb === 'riotopo') send({ hsycotopo: { topotime: 1, locations: {}, devices: {} } });
      else if (verb === 'riologs') send({ hsycologs: IDS.map((id) => ({ id, type: 'counter', unit: 'kWh' })) });
      else if (verb === 'riolog') {
        const [, , id, after] = decodeURIComponent(query).split('*');
        // Every logger's one page, answered once the test reads the views.
        const page = { hsycolog: { id, type: 'counter', unit: 'kWh', samples: after === '0' ? SAMPLES : [], more: false } };
        void pagesAsked.then(() => send(page));
      } else response.writeHead(404).end();
    });
    hub = await startTestHub();
    await hub.admin.addSim('site', remote, PASSWORD, { discovery: false, dataloggers: IDS.join(';'), dataloggerspollinterval: 1 });
  });
  afterAll(async () => {
    await hub?.close();
    await remote?.close();
  });

  it('is never up to date with fewer samples than it holds, read while its pages are stored', async () => {
    const seen: LoggerView[] = [];
    let done = false;
    // Several readers at once, so that some read is under way whenever a page is stored.
    async function read(): Promise<void> {
      while (!done) {
        const views = await hub.admin.data<LoggerView[]>('GET', '/api/loggers');
        seen.push(...views);
        done ||= views.length === IDS.length && views.every((view) => view.replication === 'up to date');
      }
    }
    answerPages();
    await Promise.all(Array.from({ length: READERS }, read));
    const upToDate = seen.filter((view) => view.replication === 'up to date');
    expect(upToDate.filter((view) => view.samples !== SAMPLES.length).map(({ id, samples }) => ({ id, samples }))).toEqual([]);
    expect(upToDate.length).toBeGreaterThanOrEqual(IDS.length);
  });
});
