/**
 * Serves the Remote I/O API at `/x/<verb>` from a RioSource: authentication with the silent
 * 10-second drop, long-polled reads, all-or-nothing writes, topology and data loggers.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import {
  API_PATH_PREFIX,
  compileAddressList,
  compileNameFilter,
  encodeLoggerList,
  encodeLogPage,
  encodeTopology,
  encodeUnknownLogger,
  encodeWriteResult,
  isPublicRequest,
  parseRequestPath,
  writeResultStatus,
  type RioRequest,
  type Write,
  type WriteResult,
} from '@riohub/protocol';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Kind } from './change-store';
import { LongPolls, type Poll } from './long-poll';
import type { RioServerSettings, RioSource } from './source';
import { idleState, isFullStateQuery, readChanges, type ExposedFilters, type StateQuery } from './state-reader';
import { TRACE_STAGES, traceStage } from './trace';

/** How long a refused request is held before its socket is destroyed (PROTOCOL.md). */
export const REFUSAL_HOLD_MS = 10_000;

/**
 * The request line a server of this API must accept (its HTTP server's `maxHeaderSize`): a write
 * may carry several values of 4096 bytes, percent-encoded up to three times as long, past Node's
 * default of 16 KB.
 */
export const MAX_REQUEST_LINE_BYTES = 256 * 1024;

/**
 * How many refused connections one client address may have held at once. Beyond it, a refused
 * connection is destroyed at once: still no answer, but the hold cannot be used to pile up sockets.
 */
export const MAX_HELD_PER_ADDRESS = 16;

/**
 * How many refused connections are held at once in all: a client with many addresses (an IPv6
 * /64, the whole of 127.0.0.0/8) would otherwise hold 16 sockets on each. Beyond it, a refused
 * connection is destroyed at once, as beyond the per-address cap.
 */
export const MAX_HELD = 1_024;

export interface RioServerOptions {
  source: RioSource;
  /** Read at every request, so a change applies at once (a new object is compiled once). */
  settings: RioServerSettings | (() => RioServerSettings);
  /**
   * The key of the other hubs sharing this hub's store (an active/standby pair), or `undefined`
   * for none: a request with it is served everything, from any address, read only, whatever the
   * settings say (a standby mirrors the active hub's whole tree, even with the API off for others).
   */
  peerKey?: () => string | undefined;
  maxHeldPerAddress?: number;
  maxHeld?: number;
  /**
   * Limits password guessing from client addresses (a peer's key is tried before it and never
   * limited). Without one, every password is checked, as a stock server does.
   */
  guesses?: GuessLimiter;
}

/**
 * Decides which clients' passwords are checked. A refused request is dropped unchecked, exactly as
 * a wrong password is, so that a guesser held back cannot tell its right guess by the answer.
 */
export interface GuessLimiter {
  /** Whether a password from this client address may be checked now. */
  mayCheck(address: string): boolean;
  /**
   * The outcome of a check `mayCheck` allowed, with the given password's digest (SHA-256: a guess
   * repeated is no new guess); returns whether a wrong one is worth a log line.
   */
  checked(address: string, right: boolean, digest: Buffer): boolean;
}

interface CompiledSettings {
  settings: RioServerSettings;
  addresses: ReturnType<typeof compileAddressList>;
  filters: ExposedFilters;
  passwordDigest: Buffer;
}

function compile(settings: RioServerSettings): CompiledSettings {
  return {
    settings,
    addresses: compileAddressList(settings.address),
    filters: { io: compileNameFilter(settings.ioFilter), ui: compileNameFilter(settings.uiFilter) },
    passwordDigest: digest(settings.password),
  };
}

/** What a peer hub (`peerKey`) is served with: everything, read only. */
function peerSettings(key: string): RioServerSettings {
  return { password: key, address: '*', control: false, ioFilter: '', uiFilter: '', api: 'extended' };
}

const JSON_TYPE = 'application/json; charset=utf-8';
/** The answer to a path under `/x/` that is no verb. */
const NOT_FOUND = JSON.stringify({ error: 'not found' });

export const rioServerPlugin: FastifyPluginAsync<RioServerOptions> = async (fastify, options) => {
  const { source } = options;
  const readSettings = typeof options.settings === 'function' ? options.settings : () => options.settings as RioServerSettings;
  const maxHeldPerAddress = options.maxHeldPerAddress ?? MAX_HELD_PER_ADDRESS;
  const maxHeld = options.maxHeld ?? MAX_HELD;
  let compiled = compile(readSettings());
  /** Counts recompilations: polls held under other filters never share an answer. */
  let compiledGeneration = 0;
  /**
   * The `topotime` served: the source's, moved on as well when the datapoint filter changes, since
   * the devices `riotopo` lists change with it. A client reads the topology again only when
   * `topotime` moves, and a version-1 client (a stock HSYCO one, or a hub speaking part A) learns of
   * removed datapoints only by the full read that goes with it (PROTOCOL.md part B).
   */
  const topotime = { source: source.topotime(), served: source.topotime() };
  function servedTopotime(): number {
    const now = source.topotime();
    if (now !== topotime.source) {
      topotime.source = now;
      topotime.served = Math.max(now, topotime.served + 1);
    }
    return topotime.served;
  }
  /** The settings in force, compiled again only when they were replaced. */
  function current(): CompiledSettings {
    const settings = readSettings();
    if (settings !== compiled.settings) {
      const before = compiled.settings;
      compiled = compile(settings);
      compiledGeneration++;
      // Before the history goes: forgetting it wakes the held polls, which answer with topotime.
      if (settings.ioFilter !== before.ioFilter) topotime.served = Math.max(Date.now(), servedTopotime() + 1);
      // A name the filters no longer expose cannot be sent as a change: every client is sent the
      // full state once, so that it learns what is gone (and what is newly exposed).
      if (settings.ioFilter !== before.ioFilter || settings.uiFilter !== before.uiFilter) source.store.forgetHistory();
    }
    return compiled;
  }
  let compiledPeer: CompiledSettings | undefined;
  /** The peer hubs' settings, when a key is set: compiled again only when the key changed. */
  function currentPeer(): CompiledSettings | undefined {
    const key = options.peerKey?.();
    if (!key) return undefined;
    if (compiledPeer?.settings.password !== key) compiledPeer = compile(peerSettings(key));
    return compiledPeer;
  }
  const polls = new LongPolls(source.store);
  /**
   * Whether each connection's address is allowed, kept for its next request (a client polls on one
   * kept-alive connection), per compiled address list. A poll's own work is on the way of every
   * change made before it is held, and a server between polls meets it cold: with this kept, the
   * password hashed in one call and the simulator's query parse left out (apps/sim/src/app.ts),
   * a simulator took 0.19–0.20 ms from reading a poll to holding it, against 0.20–0.26 ms (four
   * runs each, in turns; a bare server takes under 0.01). The password's digest, most of the rest,
   * is not kept: a reverse proxy may carry several clients on one connection, and comparing a
   * guess with what another client sent before would time the secret (kept per connection, it
   * took 0.12–0.17 ms).
   */
  const allowedConnections = new WeakMap<Socket, { addresses: CompiledSettings['addresses']; allowed: boolean }>();
  function allowedOn(socket: Socket, addresses: CompiledSettings['addresses']): boolean {
    const known = allowedConnections.get(socket);
    if (known?.addresses === addresses) return known.allowed;
    const allowed = addresses.allows(socket.remoteAddress ?? '');
    allowedConnections.set(socket, { addresses, allowed });
    return allowed;
  }
  const heldSockets = new Map<Socket, NodeJS.Timeout>();
  const heldPerAddress = new Map<string, number>();

  /**
   * No answer at all: hold the connection, then destroy it. The reason goes to the log only, at
   * `level` (a guesser held back, or one whose attack is reported already, is not worth a line per
   * guess).
   */
  function refuse(request: FastifyRequest, reply: FastifyReply, reason: string, level: 'warn' | 'debug' = 'warn'): FastifyReply {
    const socket = request.socket;
    const address = socket.remoteAddress ?? '';
    const held = heldPerAddress.get(address) ?? 0;
    reply.hijack();
    if (heldSockets.has(socket)) return reply;
    if (held >= maxHeldPerAddress || heldSockets.size >= maxHeld) {
      const from = held >= maxHeldPerAddress ? 'from this address' : 'in all';
      request.log[level]({ client: address, reason, held, heldInAll: heldSockets.size }, `remote API request refused; too many held ${from}: closed at once`);
      socket.destroy();
      return reply;
    }
    request.log[level]({ client: address, reason }, 'remote API request refused');
    heldPerAddress.set(address, held + 1);
    const release = () => {
      if (!heldSockets.delete(socket)) return;
      clearTimeout(timer);
      const left = (heldPerAddress.get(address) ?? 1) - 1;
      if (left > 0) heldPerAddress.set(address, left);
      else heldPerAddress.delete(address);
    };
    const timer = setTimeout(() => {
      release();
      socket.destroy();
    }, REFUSAL_HOLD_MS);
    heldSockets.set(socket, timer);
    socket.once('close', release);
    return reply;
  }

  function answer(reply: FastifyReply, status: number, body: string): FastifyReply {
    return reply.code(status).header('content-type', JSON_TYPE).send(body);
  }

  /**
   * A poll's answer, written on its response as it is: every change a held poll waits for goes
   * this way. Through Fastify's reply it took about 10 µs more in two measurements inside a
   * simulator (less than the spread between rounds of `pnpm bench answer-path`, which puts this
   * path level with Node's own HTTPS response: Node's HTTP layer and the socket's write are most of
   * it). What the app's hooks set for every answer is on the raw response already (the hub's
   * security headers: helmet sets them there, on request). A response already answered, or whose
   * client has gone, is left alone: `writeHead` would throw where Fastify's reply only warned.
   */
  function answerPoll(reply: FastifyReply, body: string): boolean {
    if (reply.raw.headersSent || reply.raw.destroyed) return false;
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) }).end(body);
    return true;
  }

  fastify.addHook('preClose', async () => {
    polls.stop();
    for (const [socket, timer] of heldSockets) {
      clearTimeout(timer);
      socket.destroy();
    }
    heldSockets.clear();
  });

  // GET only: Fastify would answer a HEAD with this handler, and a HEAD of rioset would write.
  fastify.get('/x/:verb', { exposeHeadRoute: false }, async (request, reply) => {
    const parsed = parseRequestPath(request.raw.url ?? '');
    if (!parsed) return answer(reply, 404, NOT_FOUND);
    const password = parsed.ok ? parsed.request.password : parsed.password;
    const given = password === undefined ? undefined : digest(password);
    const peer = currentPeer();
    // A peer hub's key is tried first: it is let in from any address, the API on or off.
    const scope: Scope = peer && given && timingSafeEqual(given, peer.passwordDigest) ? 'peer' : 'clients';
    const { settings, addresses, passwordDigest, filters } = scope === 'peer' ? (peer as CompiledSettings) : current();
    if (!allowedOn(request.socket, addresses)) return refuse(request, reply, 'address not allowed');
    if (settings.password === '') return refuse(request, reply, 'remote API disabled (no password set)');
    // The parser's message may quote an argument, which may be the password: never logged.
    if (!given) return refuse(request, reply, 'unparseable request');
    if (!passwordIsRight(request, reply, given, passwordDigest, scope)) return reply;
    const verb = verbOf(request.url);
    // Decided before any 400, so that a public-only server reveals nothing of part B.
    if (settings.api === 'public' && !(parsed.ok ? isPublicRequest(parsed.request) : verb === 'rioget' && request.url.includes('?1*'))) {
      return refuse(request, reply, `${verb} refused: this server serves the public API only`);
    }
    if (!parsed.ok) return answerMalformed(reply, verb, parsed.error);
    return serve(parsed.request, request, reply, settings, filters, scope);
  });

  // Any deeper path (`/x/rioget/`, `/x/a/b`) is no verb either: the same 404, not a route left unknown.
  fastify.get('/x/*', { exposeHeadRoute: false }, async (request, reply) => answer(reply, 404, NOT_FOUND));

  /** Checks a password, unless the limiter holds its client back; refuses the request if not right. */
  function passwordIsRight(request: FastifyRequest, reply: FastifyReply, given: Buffer, passwordDigest: Buffer, scope: Scope): boolean {
    // A peer's key was checked to choose its scope; a peer is never held back by the clients' guesses.
    if (scope === 'peer') return true;
    const { guesses } = options;
    if (!guesses) {
      if (timingSafeEqual(given, passwordDigest)) return true;
      refuse(request, reply, 'wrong password');
      return false;
    }
    if (!guesses.mayCheck(request.ip)) {
      refuse(request, reply, 'too many wrong passwords: held back unchecked', 'debug');
      return false;
    }
    const right = timingSafeEqual(given, passwordDigest);
    const worthALine = guesses.checked(request.ip, right, given);
    if (!right) refuse(request, reply, 'wrong password', worthALine ? 'warn' : 'debug');
    return right;
  }

  /** The compiled settings a request of `scope` is judged by now: a new object once they changed. */
  function inForce(scope: Scope): CompiledSettings | undefined {
    return scope === 'peer' ? currentPeer() : current();
  }

  /**
   * Whether a request let in before the settings changed would be let in under those in force: its
   * address, its password, the API on, and part B served if it is part B. Not a guess, so the
   * guess limiter is not told.
   */
  function stillLetIn(rio: RioRequest, request: FastifyRequest, scope: Scope): boolean {
    const letIn = inForce(scope);
    if (!letIn || !timingSafeEqual(digest(rio.password), letIn.passwordDigest)) return false;
    if (scope === 'peer') return true;
    return allowedOn(request.socket, letIn.addresses) && letIn.settings.password !== '' && (letIn.settings.api !== 'public' || isPublicRequest(rio));
  }

  function answerMalformed(reply: FastifyReply, verb: string, error: string): FastifyReply {
    if (verb === 'riolog' || verb === 'riologs') return answer(reply, 400, JSON.stringify({ hsycolog: { error } }));
    return answer(reply, 400, encodeWriteResult({ ok: false, error }));
  }

  async function serve(
    rio: RioRequest,
    request: FastifyRequest,
    reply: FastifyReply,
    settings: RioServerSettings,
    filters: ExposedFilters,
    scope: Scope,
  ): Promise<FastifyReply> {
    /** The filters in force for this client when its poll is answered. */
    const filtersNow = (): ExposedFilters => {
      const { filters: clients } = current();
      return scope === 'peer' ? filters : clients;
    };
    switch (rio.verb) {
      case 'rioget': {
        const query: StateQuery = {
          version: rio.version,
          timestamp: rio.timestamp,
          sections: rio.version === 1 ? { io: true, ui: false } : rio.sections,
        };
        // Shared: the full state (the same answer whatever timestamp was sent), and the changes after
        // the latest timestamp, which every client answered together comes back with. Any other
        // timestamp is read for its poll alone, so made-up ones cannot fill the cache with answers.
        // An answer with the wall clock in it (v2 of a SYSTEM server) is never shared: it would age.
        // Key and answer are worked out when the poll is answered, under the settings in force then:
        // a held poll must not answer with filters replaced meanwhile (nor as changes, since the
        // replacement made its timestamp unknown).
        const clocked = query.version === 2 && source.systemClock !== undefined;
        const letInBy = inForce(scope);
        // Polls held with the latest timestamp keep sharing their answer after the next change.
        const changesAfter = query.timestamp === source.store.timestamp ? `after ${query.timestamp}` : undefined;
        const poll: Poll = {
          key: () => {
            filtersNow();
            const since = isFullStateQuery(source, query) ? 'full' : changesAfter;
            if (since === undefined || clocked) return undefined;
            // Peers see everything, clients what the filters expose: never one shared answer.
            return `${scope === 'peer' ? 'peer' : compiledGeneration}|${servedTopotime()}|${query.version}|${since}|${query.sections.io}|${query.sections.ui}`;
          },
          tryAnswer: () => readChanges(source, filtersNow(), query, servedTopotime()),
          idleAnswer: () => idleState(source, query, servedTopotime()),
          send: (body: string) => {
            // Let in under the settings of when it came: no answer if those in force now would not.
            if (inForce(scope) !== letInBy && !stillLetIn(rio, request, scope)) {
              refuse(request, reply, 'the settings changed while the poll was held: no longer let in');
              return;
            }
            if (!answerPoll(reply, body)) return;
            // After the write, as the hub's delta: Node's HTTP response and the socket's write are most of a hop.
            traceStage(TRACE_STAGES.answerSent, () => ({ body }));
          },
        };
        reply.raw.once('close', () => polls.remove(poll));
        polls.add(poll);
        return reply;
      }
      case 'riotopo': {
        const topology = source.topology();
        const devices = topology.devices.filter(([name]) => filters.io(name));
        return answer(reply, 200, encodeTopology({ ...topology, topotime: servedTopotime(), devices }));
      }
      case 'rioset':
      case 'riouiset': {
        const kind: Kind = rio.verb === 'rioset' ? 'io' : 'ui';
        const result = await write(kind, rio.writes, settings, filters, request.socket.remoteAddress ?? '');
        if (result.ok) request.log.info({ kind, names: rio.writes.map(([name]) => name) }, 'remote write applied');
        return answer(reply, writeResultStatus(result), encodeWriteResult(result));
      }
      case 'riologs':
        return answer(reply, 200, encodeLoggerList(await source.loggers()));
      case 'riolog': {
        const page = await source.readLog(rio.id, rio.after, rio.limit);
        return page ? answer(reply, 200, encodeLogPage(page)) : answer(reply, 404, encodeUnknownLogger(rio.id));
      }
    }
  }

  async function write(
    kind: Kind,
    writes: readonly Write[],
    settings: RioServerSettings,
    filters: ExposedFilters,
    client: string,
  ): Promise<WriteResult> {
    if (!settings.control) return { ok: false, error: 'control disabled' };
    const unknown = writes
      .map(([name]) => name)
      .filter((name) => !filters[kind](name) || !source.store.has(kind, name));
    if (unknown.length > 0) return { ok: false, error: 'unknown', names: [...new Set(unknown)] };
    const result = source.write(kind, writes, client);
    traceStage(TRACE_STAGES.writeApplied, () => ({ writes, pollsHeld: polls.size }));
    // A source that applies a write as it is made (a simulator) has it whole now: its pollers hear
    // of it before the write's own answer. One that passes it on (a hub) hears back later, and then
    // its pollers are answered as its other changes are.
    polls.answerChanged();
    return result;
  }
};

/** `rioget` from `/x/rioget?…`. */
function verbOf(url: string): string {
  return url.slice(API_PATH_PREFIX.length).split('?')[0] ?? '';
}

/** Whom a request was let in as: a client of the settings, or a peer hub of the pair. */
type Scope = 'clients' | 'peer';

function digest(text: string): Buffer {
  // One call, no Hash object: this runs on every request.
  return hash('sha256', text, 'buffer');
}

/** A request URL fit for logs: the query (which carries the password) is left out. */
export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  return question < 0 ? url : `${url.slice(0, question)}?…`;
}
