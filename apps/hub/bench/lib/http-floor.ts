// The floor of the Remote I/O hop on this machine: in one Node process (no other process to wake),
// the time from a server writing a poll-sized answer (50 changes) to undici having read it whole,
// as the hub's link reads its answers, over HTTPS and plain HTTP.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeSelfSigned } from '@riohub/certificate';
import { Agent, request } from 'undici';

const ROUNDS = 2_000;
const ANSWER = JSON.stringify({ hsycostate: { timestamp: 1, io: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`dummy.light.${i}`, String(i % 2)])) } });
const now = () => performance.timeOrigin + performance.now();

export interface Floor {
  p50: number;
  p99: number;
}

async function measure(tls: boolean): Promise<Floor> {
  let writtenAt = 0;
  // Answered a moment later, as a held poll is: the request is read and waiting when the answer goes.
  const answer = (_request: IncomingMessage, response: ServerResponse) =>
    void setTimeout(() => {
      writtenAt = now();
      response.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER);
    }, 1);
  const certificate = tls ? await makeSelfSigned('127.0.0.1', 'floor') : undefined;
  const server = certificate ? createHttpsServer({ key: certificate.key, cert: certificate.cert }, answer) : createHttpServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/x/rioget`;
  const agent = new Agent(certificate ? { connect: { ca: certificate.cert } } : {});
  const times: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const response = await request(url, { dispatcher: agent });
      await response.body.text();
      times.push(now() - writtenAt);
    }
  } finally {
    await agent.close();
    server.close();
  }
  times.sort((a, b) => a - b);
  return { p50: times[ROUNDS / 2] as number, p99: times[Math.floor(ROUNDS * 0.99)] as number };
}

export async function httpFloor(): Promise<{ https: Floor; http: Floor }> {
  return { https: await measure(true), http: await measure(false) };
}
