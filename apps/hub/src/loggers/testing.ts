/** Helpers for the logger tests: a remote's whole series read over `riolog`, the hub's over its API. */
import type { LoggerSample, LoggerView, RawSeries } from '@riohub/hub-api';
import { RioTestClient, type SimProcess } from '@riohub/testkit';
import { eventually, type HubClient } from '../testing/test-hub';

export const SIM_PASSWORD = 'remote-pw';

/** Every sample a simulator's logger holds, paged as any client pages (`riolog`). */
export async function remoteSeries(sim: SimProcess, id: string): Promise<LoggerSample[]> {
  const client = new RioTestClient(sim.url, sim.certificate);
  const all: LoggerSample[] = [];
  try {
    let after = 0;
    for (;;) {
      const response = await client.get(`/x/riolog?1*${SIM_PASSWORD}*${id}*${after}`);
      const page = JSON.parse(response.body) as { hsycolog: { samples: LoggerSample[]; more: boolean } };
      all.push(...page.hsycolog.samples);
      const last = page.hsycolog.samples.at(-1);
      if (!page.hsycolog.more || !last) return all;
      after = last[0];
    }
  } finally {
    await client.close();
  }
}

/** Every sample the hub stores for a logger, read through `/api/loggers/:id/samples`. */
export async function hubSeries(client: HubClient, id: string): Promise<LoggerSample[]> {
  const all: LoggerSample[] = [];
  let from = 0;
  for (;;) {
    const series = await client.data<RawSeries>('GET', `/api/loggers/${encodeURIComponent(id)}/samples?from=${from}&to=${Number.MAX_SAFE_INTEGER}`);
    all.push(...series.samples);
    const last = series.samples.at(-1);
    if (!series.truncated || !last) return all;
    from = last[0] + 1;
  }
}

export async function loggerView(client: HubClient, id: string): Promise<LoggerView> {
  const views = await client.data<LoggerView[]>('GET', '/api/loggers');
  const view = views.find((candidate) => candidate.id === id);
  if (!view) throw new Error(`no logger ${id} in ${JSON.stringify(views.map((v) => v.id))}`);
  return view;
}

export function untilUpToDate(client: HubClient, id: string, timeoutMs = 60_000): Promise<LoggerView> {
  return eventually(() => loggerView(client, id), (view) => view.replication === 'up to date', timeoutMs);
}

/**
 * The hub holds exactly the remote's series up to the last sample it replicated: no gap, no
 * duplicate, no changed value. (The remote keeps sampling, so later samples may not be there yet.)
 */
export async function expectSameSeries(client: HubClient, sim: SimProcess, localId: string, remoteId: string): Promise<number> {
  const stored = await hubSeries(client, localId);
  const last = stored.at(-1);
  if (!last) throw new Error(`${localId}: nothing stored`);
  const remote = (await remoteSeries(sim, remoteId)).filter(([time]) => time <= last[0]);
  if (stored.length !== remote.length) throw new Error(`${localId}: ${stored.length} samples stored, the remote has ${remote.length}`);
  remote.forEach((sample, index) => {
    const mine = stored[index] as LoggerSample;
    if (mine[0] !== sample[0] || mine[1] !== sample[1]) {
      throw new Error(`${localId}: sample ${index} is ${JSON.stringify(mine)}, the remote's is ${JSON.stringify(sample)}`);
    }
  });
  return stored.length;
}
