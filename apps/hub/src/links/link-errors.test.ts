import { describe, expect, it } from 'vitest';
import { closedSentence, connectionSentence, noAnswerSentence, SILENT_DROP_MS } from './link-errors';

describe('connection errors in words', () => {
  it('says what to do about a self-signed certificate, a refused port and an unknown name', () => {
    expect(connectionSentence('DEPTH_ZERO_SELF_SIGNED_CERT', '10.0.0.5', 443)).toMatch(/self-signed.*choose Pinned certificate and confirm its fingerprint/);
    expect(connectionSentence('ECONNREFUSED', '::1', 9443)).toMatch(/^Nothing listens on \[::1\]:9443: /);
    expect(connectionSentence('ENOTFOUND', 'hotel.example', 443)).toMatch(/^The name hotel.example is not known/);
    expect(connectionSentence('SOMETHING_ELSE', 'h', 1)).toBeUndefined();
    expect(connectionSentence(undefined, 'h', 1)).toBeUndefined();
  });

  it("takes a close after HSYCO's 10 s hold for the silent drop, and an earlier one for a remote that went away", () => {
    const silent = "No answer in 10 s: a wrong password, or this hub's address is not in the remote's RemoteServerAddress (HSYCO drops both silently).";
    expect(closedSentence(SILENT_DROP_MS + 5, 'h:1')).toBe(silent);
    expect(closedSentence(200, 'h:1')).toMatch(/^h:1 closed the connection without answering: the remote may have stopped or restarted/);
    expect(noAnswerSentence(10)).toBe(silent);
    expect(noAnswerSentence(13)).toMatch(/^No answer in 13 s: the network or a firewall/);
  });
});
