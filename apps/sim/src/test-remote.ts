/** For the simulator's API tests: one simulator process and a client that pins its certificate. */
import type { HsycoState } from '@riohub/protocol';
import { RioTestClient, spawnSim, type SimProcess } from '@riohub/testkit';

export interface Remote {
  sim: SimProcess;
  client: RioTestClient;
}

/** A simulator with the password `pw` and these extra flags. */
export async function startRemote(args: string[]): Promise<Remote> {
  const sim = await spawnSim(['--password', 'pw', ...args]);
  return { sim, client: new RioTestClient(sim.url, sim.certificate) };
}

export async function stopRemote(remote: Remote | undefined): Promise<void> {
  await remote?.client.close();
  await remote?.sim.stop();
}

/** A state's datapoints as a record, for lookups by name. */
export function io(state: HsycoState): Record<string, string> {
  return Object.fromEntries(state.io ?? []);
}
