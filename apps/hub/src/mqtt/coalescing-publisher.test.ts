// The publisher's queue on its own, through a fake connection: coalescing, order and the window.
import { describe, expect, it } from 'vitest';
import { CoalescingPublisher, type Send } from './coalescing-publisher';

/** A connection that records each message and settles it only when told. */
function fakeConnection() {
  const sent: string[] = [];
  const unsettled: (() => void)[] = [];
  const send: Send = (topic, payload) => {
    sent.push(`${topic}=${payload}`);
    return new Promise((resolve) => unsettled.push(resolve));
  };
  return { send, sent, settleAll: () => unsettled.splice(0).forEach((settle) => settle()) };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescingPublisher', () => {
  it('publishes each topic once, with its last value, in the order topics first became pending', async () => {
    const publisher = new CoalescingPublisher();
    const connection = fakeConnection();
    publisher.attach(connection.send);
    publisher.set('a', '1');
    publisher.set('b', '1');
    publisher.set('a', '2');
    publisher.set('c', () => 'made');
    await turn();
    expect(connection.sent).toEqual(['a=2', 'b=1', 'c=made']);
    expect(publisher.size).toBe(0);
  });

  it('keeps at most `window` messages unsettled, the rest following in order as they settle', async () => {
    const publisher = new CoalescingPublisher(2);
    const connection = fakeConnection();
    publisher.attach(connection.send);
    for (const topic of ['a', 'b', 'c', 'd', 'e']) publisher.set(topic, '1');
    await turn();
    expect(connection.sent).toEqual(['a=1', 'b=1']);
    expect(publisher.size).toBe(3);
    // A topic set again while pending keeps its place; one already sent goes to the back.
    publisher.set('d', '2');
    publisher.set('a', '2');
    connection.settleAll();
    await expect.poll(() => connection.sent).toHaveLength(4);
    await turn();
    expect(connection.sent).toEqual(['a=1', 'b=1', 'c=1', 'd=2']);
    connection.settleAll();
    await expect.poll(() => connection.sent).toHaveLength(6);
    expect(connection.sent).toEqual(['a=1', 'b=1', 'c=1', 'd=2', 'e=1', 'a=2']);
    connection.settleAll();
    expect(await publisher.drained(1_000)).toBe(true);
  });
});
