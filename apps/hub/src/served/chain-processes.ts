/**
 * A three-level chain of real processes, shared by the chain quality tests and `pnpm bench chain`:
 * simulator → site hub → region hub → top hub. The site and region hubs serve HTTPS (the level
 * above pins their certificate) and their own Remote I/O API; each level knows the one below as a
 * remote: `lobby` at the site hub, `site` at the region hub, `region` at the top hub.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { fingerprintOf } from '@riohub/certificate';
import { readHubTree, readServerState, RioTestClient, spawnHubOnTestStore, spawnSim, type HubProcess, type SimProcess, type Snapshot } from '@riohub/testkit';
import { Agent } from 'undici';
import { HubClient } from '../testing/test-hub';

export const CHAIN_ADMIN_PASSWORD = 'chain-admin-pw';
export const CHAIN_SIM_PASSWORD = 'chain-sim-pw';
export const CHAIN_API_PASSWORD = 'chain-api-pw';
/** No SYSTEM clock: every datapoint holds still unless written, so every level can match exactly. */
export const CHAIN_SIM_ARGS = ['--password', CHAIN_SIM_PASSWORD, '--lights', '3', '--dimmers', '1', '--shutters', '0', '--sensors', '1', '--virtuals', '2', '--system', 'false'];

export type LevelName = 'site' | 'region' | 'top';

export interface ChainLevel {
  name: LevelName;
  process: HubProcess;
  admin: HubClient;
  /** What this level calls the simulator's datapoints: `lobby.`, `site.lobby.`, `region.site.lobby.`. */
  prefix: string;
  /** Its remote (the level below), and that remote's own `connection` point here. */
  remote: string;
}

export interface Chain {
  sim: SimProcess;
  /** site, region, top: bottom up. */
  levels: ChainLevel[];
  level(name: LevelName): ChainLevel;
  /** The simulator's own full state, under a level's prefix, by an independent client. */
  simState(prefix: string): Promise<Snapshot>;
  /** A level's tree under its prefix, through its REST API. */
  tree(level: ChainLevel): Promise<Snapshot>;
  /** Kills the simulator (SIGKILL); `restartSim` starts it again on its port and data folder. */
  killSim(): Promise<void>;
  restartSim(): Promise<void>;
  /** Kills the site hub (SIGKILL); `restartSite` starts it again on its port and data folder. */
  killSite(): Promise<void>;
  restartSite(): Promise<void>;
  close(): Promise<void>;
}

/** A signed-in admin of a hub process, trusting exactly its certificate when it serves HTTPS. */
async function signedIn(hub: HubProcess, password: string): Promise<HubClient> {
  const client = new HubClient(hub.url, hub.certificate ? new Agent({ connect: { ca: hub.certificate } }) : undefined);
  await client.data('POST', '/api/session', { name: 'admin', password });
  return client;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** Adds `below` (a hub process serving its API) to `admin`'s hub as remote `name`, its certificate pinned. */
function addHubRemote(admin: HubClient, name: string, below: HubProcess): Promise<unknown> {
  const url = new URL(below.url);
  return admin.data('POST', '/api/remotes', {
    name, host: url.hostname, port: Number(url.port), tls: 'pin', fingerprint: fingerprintOf(below.certificate ?? ''), password: CHAIN_API_PASSWORD,
  });
}

export async function startChain(simArgs: readonly string[] = CHAIN_SIM_ARGS): Promise<Chain> {
  let sim = await spawnSim(simArgs);
  const simDataDir = sim.dataDir;
  const simPort = new URL(sim.url).port;
  const started: HubProcess[] = [];
  const admins: HubClient[] = [];
  const staleSims: SimProcess[] = [];
  const stopAll = async () => {
    await Promise.all(admins.map((admin) => admin.dispatcher?.close()));
    for (const hub of [...started].reverse()) await hub.stop();
    // A restarted site hub keeps the folder it was given: removed here, with the rest.
    if (siteDataDir) rmSync(siteDataDir, { recursive: true, force: true });
    for (const old of staleSims) await old.stop('SIGKILL');
    await sim.stop('SIGKILL');
  };
  let siteDataDir: string | undefined;
  try {
    const siteProcess = await spawnHubOnTestStore(CHAIN_ADMIN_PASSWORD, { args: ['--tls'] });
    started.push(siteProcess);
    siteDataDir = siteProcess.dataDir;
    const regionProcess = await spawnHubOnTestStore(CHAIN_ADMIN_PASSWORD, { args: ['--tls'] });
    started.push(regionProcess);
    const topProcess = await spawnHubOnTestStore(CHAIN_ADMIN_PASSWORD);
    started.push(topProcess);
    const [siteAdmin, regionAdmin, topAdmin] = await Promise.all(started.map((hub) => signedIn(hub, CHAIN_ADMIN_PASSWORD)));
    admins.push(siteAdmin as HubClient, regionAdmin as HubClient, topAdmin as HubClient);
    const levels: ChainLevel[] = [
      { name: 'site', process: siteProcess, admin: siteAdmin as HubClient, prefix: 'lobby.', remote: 'lobby' },
      { name: 'region', process: regionProcess, admin: regionAdmin as HubClient, prefix: 'site.lobby.', remote: 'site' },
      { name: 'top', process: topProcess, admin: topAdmin as HubClient, prefix: 'region.site.lobby.', remote: 'region' },
    ];
    for (const level of levels.slice(0, 2)) {
      await level.admin.data('PUT', '/api/hub/served-api', { password: CHAIN_API_PASSWORD, address: '127.0.0.1', control: true });
    }
    await levels[0]?.admin.addSim('lobby', sim, CHAIN_SIM_PASSWORD);
    await addHubRemote(levels[1]?.admin as HubClient, 'site', siteProcess);
    await addHubRemote(levels[2]?.admin as HubClient, 'region', regionProcess);
    const chain: Chain = {
      // eslint-disable-next-line no-restricted-syntax -- one per test chain
      get sim() {
        return sim;
      },
      levels,
      level: (name) => levels.find((level) => level.name === name) as ChainLevel,
      async simState(prefix) {
        const client = new RioTestClient(sim.url, sim.certificate);
        try {
          return await readServerState(client, CHAIN_SIM_PASSWORD, { prefix });
        } finally {
          await client.close();
        }
      },
      tree: (level) => readHubTree((path) => level.admin.data('GET', path), level.prefix),
      killSim: () => kill(sim.child),
      async restartSim() {
        staleSims.push(sim);
        sim = await spawnSim([...simArgs, '--port', simPort], { dataDir: simDataDir });
      },
      killSite: () => kill((levels[0] as ChainLevel).process.child),
      async restartSite() {
        const site = levels[0] as ChainLevel;
        const port = Number(new URL(site.process.url).port);
        await site.admin.dispatcher?.close();
        const again = await spawnHubOnTestStore(CHAIN_ADMIN_PASSWORD, { args: ['--tls'], dataDir: site.process.dataDir, port });
        started[0] = again;
        site.process = again;
        site.admin = await signedIn(again, CHAIN_ADMIN_PASSWORD);
        admins[0] = site.admin;
      },
      close: stopAll,
    };
    return chain;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
