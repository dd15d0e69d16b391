// Benchmark: the Remote I/O server's answer to a held poll, in one process. A simulator changing
// 10,000 of its 20,000 names a second is polled over HTTPS by one client, which keeps a poll held,
// and written to by another every 10 ms, as `pnpm bench vs-mqtt` probes it; each write's time from
// applied to its poll's answer written is read from the server's own trace (rio-server's
// `write-applied` and `answer-sent`): no wire, no other process, only the server's work and its
// socket's write. Beside it, taken in turns, the least that write can cost on this runtime: Node's
// HTTPS server answering a held request with a body of the same size (`writeHead` and `end`), timed
// from the change that releases it, in the same process. The difference is the server's own work
// (its poll's bookkeeping, the answer's encoding, the settings re-checked, Fastify's routing of the
// write is not in it). Run with `pnpm bench answer-path`.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSelfSigned } from '@riohub/certificate';
import { encodeState } from '@riohub/protocol';
import { traceClock } from '@riohub/rio-server';
import { RioTestClient } from '@riohub/testkit';
import { parseSimArgs } from '../src/config';
import { startSim } from '../src/server';

const PASSWORD = 'bench';
const PROBE = 'virtual.1';
const ROUNDS = 4;
const ROUND_MS = 5_000;
const WRITE_EVERY_MS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The p50 and p90 of a list of durations (ms), in µs. */
function figures(durations: number[]): { p50: number; p90: number; count: number } {
  const sorted = [...durations].sort((a, b) => a - b);
  const at = (p: number) => (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN) * 1000;
  return { p50: at(0.5), p90: at(0.9), count: sorted.length };
}

/** A path driven for `ms`: a poll kept held by `poll`, a write every 10 ms by `write`. */
async function drive(ms: number, poll: () => Promise<void>, write: () => Promise<void>): Promise<void> {
  let polling = true;
  const poller = (async () => {
    while (polling) await poll();
  })();
  // A failed poll ends the round (and the run, through its cleanup) rather than the process.
  let pollerEnded = false;
  const polled = poller.finally(() => (pollerEnded = true));
  polled.catch(() => undefined); // Rethrown where awaited, below.
  const until = performance.now() + ms;
  while (performance.now() < until) {
    await write();
    await sleep(WRITE_EVERY_MS);
  }
  polling = false;
  // The last poll is held until a change: writes go on until it is answered, however late it came
  // (the bare server answers only a poll held when its change comes).
  while (!pollerEnded) {
    await write();
    await sleep(WRITE_EVERY_MS);
  }
  await polled;
}

/** riohub's simulator: each probe write applied → its held poll's answer written, from the server's trace. */
async function simulatorRound(url: string, certificate: string): Promise<number[]> {
  const poller = new RioTestClient(url, certificate);
  const writer = new RioTestClient(url, certificate);
  const durations: number[] = [];
  let applied: number | undefined;
  // Only the writes that found the poll held: one that came between an answer and the next poll
  // waits for that poll, which is the client's time, not the server's.
  const onApplied = (message: unknown) => {
    const { at, writes, pollsHeld } = message as { at: number; writes: [string, string][]; pollsHeld: number };
    if (pollsHeld > 0 && writes.some(([name]) => name === PROBE)) applied = at;
  };
  const onSent = (message: unknown) => {
    const { at, body } = message as { at: number; body: string };
    if (applied !== undefined && body.includes(`"${PROBE}"`)) durations.push(at - applied);
    applied = undefined;
  };
  subscribe('riohub.trace.write-applied', onApplied);
  subscribe('riohub.trace.answer-sent', onSent);
  let timestamp = 1;
  let value = 0;
  try {
    await drive(
      ROUND_MS,
      async () => {
        const answer = await poller.get(`/x/rioget?1*${timestamp}*${PASSWORD}`);
        timestamp = (JSON.parse(answer.body) as { hsycostate: { timestamp: number } }).hsycostate.timestamp;
      },
      async () => void (await writer.get(`/x/rioset?1*${PASSWORD}*${PROBE}*${++value}`)),
    );
  } finally {
    unsubscribe('riohub.trace.write-applied', onApplied);
    unsubscribe('riohub.trace.answer-sent', onSent);
    await Promise.all([poller.close(), writer.close()]);
  }
  return durations;
}

/** Node's HTTPS server alone: a change → the held request answered (`writeHead`, `end`), timed around it. */
async function bareRound(url: string, certificate: string, body: string): Promise<number[]> {
  const poller = new RioTestClient(url, certificate);
  const writer = new RioTestClient(url, certificate);
  bare.durations = [];
  bare.body = body;
  try {
    await drive(
      ROUND_MS,
      async () => void (await poller.get('/held')),
      async () => void (await writer.get('/change')),
    );
  } finally {
    await Promise.all([poller.close(), writer.close()]);
  }
  return bare.durations;
}

/** The bare server's state: the request it holds, the body it answers with, what it measured. */
const bare = { held: undefined as ServerResponse | undefined, body: '', durations: [] as number[] };

/** The bare server: a held request answered by the next change, timed as the server's trace times its own. */
function startBareServer(certificate: { key: string; cert: string }): Server {
  return createServer({ key: certificate.key, cert: certificate.cert, keepAliveTimeout: 75_000 }, (request, response) => {
    if (request.url === '/held') {
      bare.held = response;
      return;
    }
    const held = bare.held;
    bare.held = undefined;
    if (held) {
      const changed = traceClock();
      held.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(bare.body) }).end(bare.body);
      bare.durations.push(traceClock() - changed);
    }
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"hsycoresult":{"ok":true}}');
  });
}

const data = mkdtempSync(join(tmpdir(), 'riohub-answer-path-'));
let sim: Awaited<ReturnType<typeof startSim>> | undefined;
let bareServer: Server | undefined;
try {
  sim = await startSim(
    parseSimArgs(
      ['--password', PASSWORD, '--lights', '20000', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', '1', '--changes-per-second', '10000', '--data', data, '--port', '0'],
      { RIOHUB_LOG_LEVEL: 'warn' },
    ),
  );
  const bareCertificate = await makeSelfSigned('127.0.0.1', 'riohub-answer-path');
  const server = startBareServer(bareCertificate);
  bareServer = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const bareUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const simCertificate = readFileSync(join(data, 'cert.pem'), 'utf8');
  // What a probe's write releases from a held poll: its one change (the server's encoder, a value of the probe's size).
  const body = encodeState({ timestamp: Date.now() * 1000, system: false, topotime: Date.now(), io: [[PROBE, performance.now().toFixed(3)]] });
  console.log(`answer-path: one process, HTTPS, the simulator changing 10,000 names a second; ${ROUNDS} rounds of ${ROUND_MS / 1000} s each way, in turns; load ${loadavg()[0]?.toFixed(2)}`);
  const rounds: { simulator: number[]; bare: number[] }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // In turns, each first every other round.
    const measured: Partial<(typeof rounds)[number]> = {};
    for (const which of round % 2 === 0 ? (['simulator', 'bare'] as const) : (['bare', 'simulator'] as const)) {
      measured[which] = which === 'simulator' ? await simulatorRound(sim.url, simCertificate) : await bareRound(bareUrl, bareCertificate.cert, body);
    }
    rounds.push(measured as (typeof rounds)[number]);
  }
  console.log('| round | the simulator: a write applied → its held poll\'s answer written, p50 / p90 | Node\'s HTTPS server alone: a change → a held request\'s answer written, p50 / p90 |');
  console.log('|---|---|---|');
  const show = ({ p50, p90, count }: ReturnType<typeof figures>) => `${p50.toFixed(0)} / ${p90.toFixed(0)} µs (${count})`;
  rounds.forEach((each, i) => console.log(`| ${i + 1} | ${show(figures(each.simulator))} | ${show(figures(each.bare))} |`));
  const all = (pick: (each: (typeof rounds)[number]) => number[]) => figures(rounds.flatMap(pick));
  console.log(`| all | ${show(all((each) => each.simulator))} | ${show(all((each) => each.bare))} |`);
} finally {
  // Whatever was started, also when a step of the setup failed.
  await sim?.close();
  const server = bareServer;
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  rmSync(data, { recursive: true, force: true });
}
