/** Starts a simulator from its config: data folder, certificate, loggers, simulation, listening app. */
import type { FastifyInstance } from 'fastify';
import { buildSimApp } from './app';
import type { SimConfig } from './config';
import { createDataLoggers } from './data-loggers';
import { loadCertificate } from '@riohub/certificate';
import { loadInstanceId, openDataFolder } from './data-folder';
import { Simulation } from './simulation';

export interface RunningSim {
  url: string;
  app: FastifyInstance;
  simulation: Simulation;
  close(): Promise<void>;
}

export async function startSim(config: SimConfig): Promise<RunningSim> {
  const folder = openDataFolder(config.data);
  try {
    const tls = config.http ? undefined : await loadCertificate(folder.path, config.host, 'riohub-sim');
    const warnings: string[] = [];
    const loggers = createDataLoggers(folder.path, (message) => warnings.push(message), {
      days: config.historyDays,
      stepSeconds: config.historyStepSeconds,
      ...(config.energyResetAt === undefined ? {} : { energyResetAt: config.energyResetAt }),
    });
    const simulation = new Simulation(config, loadInstanceId(folder.path), loggers);
    const app = await buildSimApp({
      source: simulation,
      settings: {
        password: config.password,
        address: config.address,
        control: config.control,
        ioFilter: config.ioFilter,
        uiFilter: config.uiFilter,
        api: config.api,
      },
      tls,
      logLevel: config.logLevel,
    });
    for (const warning of warnings) app.log.warn(warning);
    if (config.password === '') app.log.warn('the password is empty: the remote API is disabled');

    await app.listen({ host: config.host, port: config.port });
    simulation.start();
    // Tests flip quality at run time with a signal: the simulator has no control channel besides its API.
    const flipStale = () => {
      simulation.flipStale();
      app.log.info('stale datapoints flipped');
    };
    if (config.stale !== '') process.on('SIGUSR2', flipStale);
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `${config.http ? 'http' : 'https'}://${host}:${port}`;
    return {
      url,
      app,
      simulation,
      async close() {
        process.off('SIGUSR2', flipStale);
        simulation.stop();
        await app.close();
        folder.dispose();
      },
    };
  } catch (error) {
    folder.dispose();
    throw error;
  }
}
