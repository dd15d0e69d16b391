// The bridge's topic mapping: names to topics and back, one to one.
import { describe, expect, it } from 'vitest';
import { commandTopic, connectionTopic, parseTopic, remoteOf, stateTopic } from './mqtt-topics';

describe('MQTT topics', () => {
  it("puts a point's full name under its kind, its dots as levels", () => {
    expect(stateTopic('riohub', 'io', 'lobby.dummy.light.1')).toBe('riohub/io/lobby/dummy/light/1');
    expect(stateTopic('site/a', 'ui', 'lobby.status.text')).toBe('site/a/ui/lobby/status/text');
    expect(commandTopic('riohub', 'io', 'lobby.dummy.light.1')).toBe('riohub/io/lobby/dummy/light/1/set');
    expect(connectionTopic('riohub', 'lobby')).toBe('riohub/hub/lobby/connection');
  });

  it('reads a state or command topic back as the point it names', () => {
    expect(parseTopic('riohub', 'riohub/io/lobby/dummy/light/1/set')).toEqual({ point: { kind: 'io', name: 'lobby.dummy.light.1' }, command: true });
    expect(parseTopic('riohub', 'riohub/ui/lobby/status/text')).toEqual({ point: { kind: 'ui', name: 'lobby.status.text' }, command: false });
    expect(parseTopic('site/a', 'site/a/hub/lobby/connection')).toEqual({ point: { kind: 'hub', name: 'lobby.connection' }, command: false });
  });

  it('reads nothing of topics that are not a point of the bridge', () => {
    expect(parseTopic('riohub', 'riohub/status')).toBeUndefined();
    expect(parseTopic('riohub', 'riohub/io/a//b')).toBeUndefined();
    expect(parseTopic('riohub', 'riohub/io/a b')).toBeUndefined();
    expect(parseTopic('riohub', 'riohub/writes')).toBeUndefined();
    expect(parseTopic('riohub', 'other/io/a/b')).toBeUndefined();
    expect(parseTopic('riohub', 'riohub/xx/a/b')).toBeUndefined();
    // A lone `set` is a point named set, not a command to nothing.
    expect(parseTopic('riohub', 'riohub/io/set')).toEqual({ point: { kind: 'io', name: 'set' }, command: false });
  });

  it("names a point's remote by its first segment", () => {
    expect(remoteOf('lobby.dummy.light.1')).toBe('lobby');
    expect(remoteOf('lobby')).toBe('lobby');
  });
});
