/**
 * Why a connection to a remote failed, as a sentence that says what to do. The hub makes these
 * (not the dashboard) so every REST and WebSocket client reads the same words; the error code
 * stays what it was and the raw cause goes into `detail`.
 */

/** HSYCO holds a request it refuses (wrong password, address not allowed) for 10 s, then closes it. */
export const SILENT_DROP_MS = 10_000;
/** A close without an answer this long after the request left is taken for the silent drop. */
const SILENT_DROP_SEEN_MS = SILENT_DROP_MS - 500;

/** What a remote asks of an admin, by the code of the system error or TLS failure behind it. */
const SENTENCES: Record<string, (where: string, host: string) => string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: selfSigned,
  SELF_SIGNED_CERT_IN_CHAIN: selfSigned,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: unknownCa,
  UNABLE_TO_GET_ISSUER_CERT: unknownCa,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: unknownCa,
  CERT_HAS_EXPIRED: () => "The remote's certificate has expired: renew it on the remote, or choose Pinned certificate and confirm its fingerprint.",
  CERT_NOT_YET_VALID: () => "The remote's certificate is not valid yet: check the clocks of the remote and of this hub.",
  ERR_TLS_CERT_ALTNAME_INVALID: (_where, host) =>
    `The remote's certificate is not made out to ${host}: use the name it was made for as the address, or choose Pinned certificate.`,
  ECONNREFUSED: (where) => `Nothing listens on ${where}: check the address and port, and that the remote's Remote I/O API is running.`,
  ENOTFOUND: (_where, host) => `The name ${host} is not known: check the address, and this hub's DNS.`,
  EAI_AGAIN: (_where, host) => `The name ${host} could not be looked up just now: check this hub's DNS; the hub tries again.`,
  EHOSTUNREACH: (_where, host) => `${host} cannot be reached from this hub: check the address, the network and any firewall in between.`,
  ENETUNREACH: (_where, host) => `${host} cannot be reached from this hub: check the address, the network and any firewall in between.`,
  ETIMEDOUT: (where) => `No connection to ${where}: nothing answered; check the address, the network and any firewall in between.`,
  UND_ERR_CONNECT_TIMEOUT: (where) => `No connection to ${where}: nothing answered; check the address, the network and any firewall in between.`,
  ECONNRESET: (where) => `${where} reset the connection: the remote may be restarting, or something in between cuts it; the hub tries again.`,
  EPROTO: (where) => `${where} does not speak TLS as expected: if the remote serves plain HTTP, choose Plain HTTP; else check the port.`,
  ERR_SSL_WRONG_VERSION_NUMBER: (where) =>
    `${where} does not answer with TLS: if the remote serves plain HTTP, choose Plain HTTP; else check the port.`,
};

function selfSigned(): string {
  return "The remote's certificate is self-signed, so no CA vouches for it: choose Pinned certificate and confirm its fingerprint.";
}

function unknownCa(): string {
  return "The remote's certificate is not signed by a CA this hub knows: choose Pinned certificate and confirm its fingerprint, or install that CA on this hub's machine.";
}

/** The sentence for a failed connection, when its code is one an admin can act on. */
export function connectionSentence(code: string | undefined, host: string, port: number): string | undefined {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return code ? SENTENCES[code]?.(where, host) : undefined;
}

/** A remote that answered nothing: HSYCO's silent refusal, or a network that swallows the traffic. */
export function noAnswerSentence(seconds: number): string {
  return seconds <= SILENT_DROP_MS / 1000 + 1
    ? "No answer in 10 s: a wrong password, or this hub's address is not in the remote's RemoteServerAddress (HSYCO drops both silently)."
    : `No answer in ${seconds} s: the network or a firewall may swallow the traffic, or the remote is overloaded (a wrong password or a refused address is dropped after 10 s).`;
}

/** A connection closed before any answer: the silent drop when it came after about 10 s, else the remote went away. */
export function closedSentence(elapsedMs: number, where: string): string {
  return elapsedMs >= SILENT_DROP_SEEN_MS
    ? noAnswerSentence(SILENT_DROP_MS / 1000)
    : `${where} closed the connection without answering: the remote may have stopped or restarted; the hub tries again.`;
}

export const CERTIFICATE_UNTRUSTED_SENTENCE =
  'The remote offers a certificate this hub has not trusted yet: check its fingerprint, then Trust certificate (or Use this fingerprint in the form).';

export const CERTIFICATE_CHANGED_SENTENCE =
  "The remote's certificate is not the pinned one: trust the new fingerprint only if the remote's certificate was replaced on purpose.";
