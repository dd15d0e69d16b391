/**
 * HTTP(S) to one remote over undici with keep-alive: every request form of PROTOCOL.md, TLS
 * verified against the system CAs, pinned to a SHA-256 fingerprint, or plain HTTP. A pinned
 * connection is checked before any request is written, so a password never reaches an
 * untrusted server. An answer is counted as it streams in and cut off past the remote's
 * `maxanswermb`, so a remote can never make the hub hold more than that of one answer.
 * A failure says what to do in its message (link-errors.ts) and keeps the raw cause in `detail`.
 */
import type { TLSSocket } from 'node:tls';
import { DEFAULT_REMOTE_OPTIONS, ERROR_CODES, normalizeFingerprint, type ErrorCode, type RemoteOptions, type RemoteSettings } from '@riohub/hub-api';
import {
  buildRequestPath,
  decodeLoggerList,
  decodeLogResponse,
  decodeState,
  decodeTopology,
  decodeWriteResult,
  ProtocolError,
  type HsycoState,
  type HsycoTopology,
  type LoggerInfo,
  type LogResponse,
  type RioRequest,
  type Sections,
  type Write,
  type WriteResult,
} from '@riohub/protocol';
import { TRACE_STAGES, traceStage } from '@riohub/rio-server';
import { Agent, buildConnector, errors as undiciErrors, type Dispatcher } from 'undici';
import {
  CERTIFICATE_CHANGED_SENTENCE,
  CERTIFICATE_UNTRUSTED_SENTENCE,
  closedSentence,
  connectionSentence,
  noAnswerSentence,
} from './link-errors';

/** The server holds a poll for 10 s; past this it is not answering. */
export const POLL_TIMEOUT_MS = 13_000;
/** Non-poll requests are answered at once by a healthy remote; a refused one is held for 10 s. */
export const REQUEST_TIMEOUT_MS = 12_000;

/** Why a request to a remote failed: a stable code, a sentence for a person, and the raw cause. */
export class LinkError extends Error {
  override readonly name = 'LinkError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** With certificate errors: the fingerprint the remote presented. */
    readonly offeredFingerprint?: string,
    /** The raw cause the message was made from (`ECONNREFUSED: connect ECONNREFUSED …`). */
    readonly detail?: string,
  ) {
    super(message);
  }

  /** As a status or a connection test reports it. */
  toJSON(): { code: string; message: string; detail?: string } {
    return { code: this.code, message: this.message, ...(this.detail ? { detail: this.detail } : {}) };
  }
}

/** `AB:CD:…`, upper case: the form Node reports and the hub stores (the contract's rule, beside the schemas that check it). */
export { normalizeFingerprint };

/** Where the remote is and how it is trusted; without options, answers are capped at the default size. */
export type ClientSettings = Pick<RemoteSettings, 'host' | 'port' | 'tls' | 'fingerprint'> & {
  options?: Pick<RemoteOptions, 'maxanswermb'>;
};

const BYTES_PER_MB = 1024 * 1024;

export class RemoteClient {
  private readonly agent: Agent;
  private readonly origin: string;
  private maxAnswerMb: number;
  private readonly stopsBySignal = new WeakMap<AbortSignal, (() => void)[]>();

  constructor(
    private readonly settings: ClientSettings,
    private readonly password: string,
  ) {
    this.origin = `${settings.tls === 'http' ? 'http' : 'https'}://${hostPort(settings.host, settings.port)}`;
    this.maxAnswerMb = settings.options?.maxanswermb ?? DEFAULT_REMOTE_OPTIONS.maxanswermb;
    this.agent = new Agent({
      connect: settings.tls === 'pin' ? pinnedConnector(settings.fingerprint) : undefined,
      keepAliveTimeout: 30_000,
      headersTimeout: POLL_TIMEOUT_MS,
      bodyTimeout: POLL_TIMEOUT_MS,
    });
  }

  /** The size past which an answer is cut off, from the next request on (a running link's `maxanswermb` changed). */
  capAnswers(maxAnswerMb: number): void {
    this.maxAnswerMb = maxAnswerMb;
  }

  async readState(timestamp: number, version: 1 | 2, sections: Sections, signal?: AbortSignal): Promise<HsycoState> {
    const rio: RioRequest =
      version === 1
        ? { verb: 'rioget', version: 1, timestamp, password: this.password }
        : { verb: 'rioget', version: 2, timestamp, password: this.password, sections };
    const body = await this.send(rio, POLL_TIMEOUT_MS, signal, [200]);
    traceStage(TRACE_STAGES.answerReceived, () => ({ body }));
    const state = decode(() => decodeState(body, timestamp === 1));
    traceStage(TRACE_STAGES.answerDecoded, () => ({}));
    return state;
  }

  async readTopology(signal?: AbortSignal): Promise<HsycoTopology> {
    const body = await this.send({ verb: 'riotopo', password: this.password }, REQUEST_TIMEOUT_MS, signal, [200]);
    return decode(() => decodeTopology(body));
  }

  async write(kind: 'io' | 'ui', writes: Write[], signal?: AbortSignal): Promise<WriteResult> {
    const verb = kind === 'io' ? 'rioset' : 'riouiset';
    const body = await this.send({ verb, password: this.password, writes }, REQUEST_TIMEOUT_MS, signal, [200, 400, 403, 404, 409]);
    return decode(() => decodeWriteResult(body));
  }

  async readLoggers(signal?: AbortSignal): Promise<LoggerInfo[]> {
    const body = await this.send({ verb: 'riologs', password: this.password }, REQUEST_TIMEOUT_MS, signal, [200]);
    return decode(() => decodeLoggerList(body));
  }

  /** One page of a logger's samples after `after`; an unknown id is an answer, not a failure. */
  async readLog(id: string, after: number, limit: number, signal?: AbortSignal): Promise<LogResponse> {
    const body = await this.send({ verb: 'riolog', password: this.password, id, after, limit }, REQUEST_TIMEOUT_MS, signal, [200, 404]);
    return decode(() => decodeLogResponse(body));
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }

  /**
   * The requests in flight that `signal` stops, behind one listener for the signal's life: one
   * added and removed with each request cost about 4 µs each way (Node's EventTarget), on every
   * poll, the removal on the answer's way to the browsers. A list, not a Set: a long-lived Set
   * that an entry joins and leaves at every poll is the hash table V8 keeps chained to its
   * replacements (see the browser session's pending changes), and a few requests at most are in
   * flight at once.
   */
  private stopsOf(signal: AbortSignal): (() => void)[] {
    let stops = this.stopsBySignal.get(signal);
    if (!stops) {
      const inFlight: (() => void)[] = [];
      signal.addEventListener('abort', () => [...inFlight].forEach((stop) => stop()), { once: true });
      this.stopsBySignal.set(signal, inFlight);
      stops = inFlight;
    }
    return stops;
  }

  /**
   * One request, its answer read whole as text. Dispatched with a handler of its own rather than
   * through undici's `request`: no URL parsed, no body stream and no signal per poll (that path
   * cost about 40 µs of CPU and of latency a round trip here, on every answer of every remote).
   */
  private send(rio: RioRequest, timeoutMs: number, signal: AbortSignal | undefined, expected: number[]): Promise<string> {
    const failure: Failure = { timedOut: false, timeoutMs, elapsedMs: 0, host: this.settings.host, port: this.settings.port };
    let path: string;
    try {
      // Before anything is armed: a value that cannot go in a URL (a lone surrogate) fails here.
      path = buildRequestPath(rio);
    } catch (error) {
      return Promise.reject(toLinkError(error, failure));
    }
    const sentAt = performance.now();
    return new Promise<string>((resolve, reject) => {
      const stop = () => answer.abort(new undiciErrors.RequestAbortedError());
      const stops = signal && !signal.aborted ? this.stopsOf(signal) : undefined;
      const timer = setTimeout(() => {
        failure.timedOut = true;
        stop();
      }, timeoutMs);
      const answer = new CappedAnswer(this.maxAnswerMb, rio.verb, (error, status, body) => {
        clearTimeout(timer);
        const at = stops?.indexOf(stop) ?? -1;
        if (at !== -1) stops?.splice(at, 1);
        if (error) {
          failure.elapsedMs = performance.now() - sentAt;
          reject(toLinkError(error, failure));
        } else if (!expected.includes(status)) {
          reject(new LinkError(ERROR_CODES.BAD_RESPONSE, `unexpected HTTP ${status} from ${rio.verb}`));
        } else {
          resolve(body);
        }
      });
      if (signal?.aborted) return stop();
      stops?.push(stop);
      this.agent.dispatch({ origin: this.origin, path, method: 'GET' }, answer);
    });
  }
}

/**
 * Reads an answer as text, chunk by chunk: past `maxMb` (announced, or counted as it arrives) the
 * request is aborted, which closes its connection, and nothing more is read or kept. Settles once:
 * an abort before the request has left (queued behind another) settles at once, and the request
 * is dropped when its turn comes.
 */
class CappedAnswer implements Dispatcher.DispatchHandler {
  private readonly maxBytes: number;
  private controller: Dispatcher.DispatchController | undefined;
  private abortedWith: Error | undefined;
  private status = 0;
  private chunks: Buffer[] = [];
  private size = 0;
  private settled = false;

  constructor(
    private readonly maxMb: number,
    private readonly verb: string,
    private readonly done: (error: Error | undefined, status: number, body: string) => void,
  ) {
    this.maxBytes = maxMb * BYTES_PER_MB;
  }

  abort(reason: Error): void {
    if (this.controller) return this.controller.abort(reason);
    this.abortedWith ??= reason;
    this.finish(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortedWith) controller.abort(this.abortedWith);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode;
    if (Number(headers['content-length']) > this.maxBytes) controller.abort(this.tooLarge());
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.chunks = [];
      return controller.abort(this.tooLarge());
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    // An answer of a few changes comes in one chunk: read as it is, not copied first.
    const body = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.size);
    this.finish(undefined, body.toString('utf8'));
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.chunks = [];
    this.finish(error);
  }

  private tooLarge(): LinkError {
    return new LinkError(ERROR_CODES.BAD_RESPONSE, `${this.verb} answer over ${this.maxMb} MB: refused (the remote's maxanswermb)`);
  }

  private finish(error: Error | undefined, body = ''): void {
    if (this.settled) return;
    this.settled = true;
    this.done(error, this.status, body);
  }
}

function decode<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ProtocolError) throw new LinkError(ERROR_CODES.BAD_RESPONSE, `bad response: ${error.message}`);
    throw error;
  }
}

/** Any failure as a LinkError: itself, or an internal error carrying its message. */
export function asLinkError(error: unknown): LinkError {
  return error instanceof LinkError ? error : new LinkError(ERROR_CODES.INTERNAL, error instanceof Error ? error.message : String(error));
}

/** `host:port`, with an IPv6 address in brackets. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** A URL's host as an address to connect to: an IPv6 address without the brackets the URL puts around it. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

interface Failure {
  timedOut: boolean;
  timeoutMs: number;
  /** From the request leaving to its failure. */
  elapsedMs: number;
  host: string;
  port: number;
}

function toLinkError(error: unknown, failure: Failure): LinkError {
  if (error instanceof LinkError) return error;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof LinkError) return cause;
  const { host, port, timeoutMs } = failure;
  if (failure.timedOut || error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new LinkError(ERROR_CODES.NO_ANSWER, noAnswerSentence(timeoutMs / 1000), undefined, `no answer within ${timeoutMs / 1000} s`);
  }
  if (error instanceof undiciErrors.SocketError) {
    return new LinkError(ERROR_CODES.NO_ANSWER, closedSentence(failure.elapsedMs, hostPort(host, port)), undefined,
      `the remote closed the connection without answering (${error.message})`);
  }
  const message = (error as Error).message ?? String(error);
  const code = (error as { code?: string }).code;
  const raw = code && !message.startsWith(code) ? `${code}: ${message}` : message;
  return new LinkError(ERROR_CODES.CONNECTION_FAILED, connectionSentence(code, host, port) ?? raw, undefined, raw);
}

/** A TLS connector that accepts exactly one certificate, by its SHA-256 fingerprint. */
function pinnedConnector(fingerprint: string): buildConnector.connector {
  // No session resumption: a resumed TLS 1.3 session carries no certificate to check.
  const connect = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0 });
  const pinned = normalizeFingerprint(fingerprint);
  return (options, callback) =>
    connect(options, (error, socket) => {
      if (error) return callback(error, null);
      const offered = (socket as TLSSocket).getPeerCertificate().fingerprint256;
      if (offered === pinned) return callback(null, socket);
      socket.destroy();
      const failure = pinned
        ? new LinkError(ERROR_CODES.CERTIFICATE_CHANGED, CERTIFICATE_CHANGED_SENTENCE, offered, `pinned ${pinned}, offered ${offered}`)
        : new LinkError(ERROR_CODES.CERTIFICATE_UNTRUSTED, CERTIFICATE_UNTRUSTED_SENTENCE, offered, `offered ${offered}, none pinned yet`);
      callback(failure, null);
    });
}
