/** The simulator's command line, parsed and checked once into a typed config. */
import { logLevelFrom, parseFlags, port, trueOrFalse, UsageError, wholeNumber, type LogLevel } from '@riohub/cli';
import { compileAddressList, ProtocolError } from '@riohub/protocol';

export interface SimConfig {
  name: string;
  host: string;
  port: number;
  http: boolean;
  password: string;
  address: string;
  control: boolean;
  ioFilter: string;
  uiFilter: string;
  api: 'extended' | 'public';
  lights: number;
  dimmers: number;
  shutters: number;
  sensors: number;
  virtuals: number;
  changesPerSecond: number;
  system: boolean;
  clockOffsetSeconds: number;
  members: string[];
  /**
   * Datapoints served as stale (PROTOCOL.md part B `quality`), as name patterns like the filters;
   * empty: none. SIGUSR2 flips them between stale and ok while it runs.
   */
  stale: string;
  /** The logger history a first start fills: days back, seconds between samples. */
  historyDays: number;
  historyStepSeconds: number;
  /** The sample number at which the `energy` meter restarts from zero; undefined: never. */
  energyResetAt: number | undefined;
  /** Where the certificate, instance id and logger history live; `undefined`: a temporary folder. */
  data: string | undefined;
  /** The least severe log level written (RIOHUB_LOG_LEVEL, as the hub's). */
  logLevel: LogLevel;
}

export const USAGE = `usage: riohub-sim --password <secret> [options]

  --name <name>                 server name [sim]
  --host <address>              address to listen on [127.0.0.1]
  --port <port>                 port, 0 for any free one [9443]
  --http                        plain HTTP instead of HTTPS
  --password <secret>           the Remote API password; "" disables the API
  --address <list>              client addresses allowed: addresses, CIDR ranges or * [127.0.0.1,::1]
  --control <true|false>        clients may write [true]
  --io-filter <patterns>        datapoints exposed, e.g. "dummy.*,!dummy.light.2" [all]
  --ui-filter <patterns>        GUI variables exposed [all]
  --api <extended|public>       public: answer part A only, as a stock HSYCO server [extended]
  --lights <n>                  on/off lights [10]
  --dimmers <n>                 dimmers [5]
  --shutters <n>                shutters [3]
  --sensors <n>                 temperature sensors [4]
  --virtuals <n>                generic text datapoints [5]
  --changes-per-second <n>      spontaneous changes; 0: values change only when written [0]
  --system <true|false>         run a SYSTEM I/O server with its clock [true]
  --clock-offset <seconds>      the system clock's offset from the real one, e.g. --clock-offset=-30 [0]
  --members <ids>               extra instance ids reported after its own (loop tests)
  --stale <patterns>            datapoints served as stale, e.g. "dummy.light.*" (tests of quality);
                                SIGUSR2 flips them between stale and ok [none]
  --history-days <n>            logger history a first start fills, in days [1]
  --history-step <seconds>      seconds between two samples of that history [10]
  --energy-reset-at <n>         the energy meter restarts from zero at sample n (0: the first) [never]
  --data <dir>                  certificate, instance id and logger history [a temporary folder]
  --help                        this text

environment:
  RIOHUB_SIM_PASSWORD           the password, when --password is not given
  RIOHUB_LOG_LEVEL              fatal, error, warn, info, debug, trace or silent [info]; at info each
                                applied write is logged
`;

const MAX_COUNT = 1_000_000;
/** Ten years: enough for any replication test, still generated in seconds at minute steps. */
const MAX_HISTORY_DAYS = 3_660;

export function parseSimArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): SimConfig {
  const values = parseFlags(argv, {
    name: { type: 'string', default: 'sim' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '9443' },
    http: { type: 'boolean', default: false },
    password: { type: 'string' },
    address: { type: 'string', default: '127.0.0.1,::1' },
    control: { type: 'string', default: 'true' },
    'io-filter': { type: 'string', default: '' },
    'ui-filter': { type: 'string', default: '' },
    api: { type: 'string', default: 'extended' },
    lights: { type: 'string', default: '10' },
    dimmers: { type: 'string', default: '5' },
    shutters: { type: 'string', default: '3' },
    sensors: { type: 'string', default: '4' },
    virtuals: { type: 'string', default: '5' },
    'changes-per-second': { type: 'string', default: '0' },
    system: { type: 'string', default: 'true' },
    'clock-offset': { type: 'string', default: '0' },
    members: { type: 'string', default: '' },
    stale: { type: 'string', default: '' },
    'history-days': { type: 'string', default: '1' },
    'history-step': { type: 'string', default: '10' },
    'energy-reset-at': { type: 'string' },
    data: { type: 'string' },
  });

  const password = values.password ?? env['RIOHUB_SIM_PASSWORD'];
  if (password === undefined) throw new UsageError('a password is required: --password <secret> or RIOHUB_SIM_PASSWORD');
  if (!/^[A-Za-z0-9_-]+$/.test(values.name)) throw new UsageError(`--name "${values.name}": use letters, digits, _ and -`);
  try {
    compileAddressList(values.address);
  } catch (error) {
    if (error instanceof ProtocolError) throw new UsageError(`--address: ${error.message}`);
    throw error;
  }
  if (values.api !== 'extended' && values.api !== 'public') {
    throw new UsageError(`--api "${values.api}": expected extended or public`);
  }
  const logLevel = logLevelFrom(env);
  const members = values.members.split(',').map((id) => id.trim()).filter((id) => id !== '');

  return {
    name: values.name,
    host: values.host,
    port: port(values.port),
    http: values.http,
    password,
    address: values.address,
    control: trueOrFalse('control', values.control),
    ioFilter: values['io-filter'],
    uiFilter: values['ui-filter'],
    api: values.api,
    lights: wholeNumber('lights', values.lights, MAX_COUNT),
    dimmers: wholeNumber('dimmers', values.dimmers, MAX_COUNT),
    shutters: wholeNumber('shutters', values.shutters, MAX_COUNT),
    sensors: wholeNumber('sensors', values.sensors, MAX_COUNT),
    virtuals: wholeNumber('virtuals', values.virtuals, MAX_COUNT),
    changesPerSecond: wholeNumber('changes-per-second', values['changes-per-second'], MAX_COUNT),
    system: trueOrFalse('system', values.system),
    clockOffsetSeconds: seconds('clock-offset', values['clock-offset']),
    members,
    stale: values.stale,
    historyDays: wholeNumber('history-days', values['history-days'], MAX_HISTORY_DAYS),
    historyStepSeconds: wholeNumber('history-step', values['history-step'], 86_400, 1),
    energyResetAt: values['energy-reset-at'] === undefined ? undefined : wholeNumber('energy-reset-at', values['energy-reset-at'], Number.MAX_SAFE_INTEGER),
    data: values.data,
    logLevel,
  };
}

function seconds(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || Math.abs(value) > 100 * 365 * 86_400) {
    throw new UsageError(`--${flag} "${text}": expected a number of seconds`);
  }
  return value;
}
