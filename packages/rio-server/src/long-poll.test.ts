import { describe, expect, it } from 'vitest';
import { ChangeStore } from './change-store';
import { LongPolls, type Poll } from './long-poll';

/** A poll that counts how often its answer is computed and keeps what it was sent. */
function countingPoll(store: ChangeStore, since: number, key?: string) {
  const poll = {
    computed: 0,
    sent: [] as string[],
    ...(key === undefined ? {} : { key: () => key }),
    tryAnswer() {
      poll.computed++;
      return store.timestamp > since ? `changed up to ${store.timestamp}` : undefined;
    },
    idleAnswer: () => 'idle',
    send: (body: string) => void poll.sent.push(body),
  } satisfies Poll & Record<string, unknown>;
  return poll;
}

const flushed = () => new Promise((resolve) => setImmediate(resolve));

describe('LongPolls', () => {
  it('computes one answer for every held poll with the same key, and each poll its own without one', async () => {
    const store = new ChangeStore(() => 1_000);
    store.set('io', 'a', '1');
    const since = store.timestamp;
    const polls = new LongPolls(store);
    const shared = [1, 2, 3].map(() => countingPoll(store, since, `v1|${since}`));
    const own = countingPoll(store, since);
    for (const poll of [...shared, own]) polls.add(poll);
    expect(polls.size).toBe(4);

    store.set('io', 'a', '2');
    await flushed();
    expect(shared.map((poll) => poll.sent)).toEqual([[`changed up to ${since + 1}`], [`changed up to ${since + 1}`], [`changed up to ${since + 1}`]]);
    // The first poll computed the answer when it arrived (nothing new) and once more after the change.
    expect(shared.reduce((sum, poll) => sum + poll.computed, 0)).toBe(2);
    expect(own.computed).toBe(2);
    expect(polls.size).toBe(0);
    polls.stop();
  });

  it('never serves an answer computed before the last change', async () => {
    const store = new ChangeStore(() => 1_000);
    const polls = new LongPolls(store);
    const since = store.timestamp;
    const first = countingPoll(store, since, 'same');
    polls.add(first);
    store.set('io', 'a', '1');
    const second = countingPoll(store, since, 'same');
    polls.add(second);
    expect(first.sent).toEqual([]);
    expect(second.sent).toEqual([`changed up to ${store.timestamp}`]);
    polls.stop();
  });

  it('answers the held polls at once when told a change is whole, and the end of the turn sends nothing twice', async () => {
    const store = new ChangeStore(() => 1_000);
    const polls = new LongPolls(store);
    const since = store.timestamp;
    const poll = countingPoll(store, since);
    polls.add(poll);
    store.set('io', 'a', '1');
    store.set('io', 'b', '1');
    // Both changes in one answer, sent before this turn is over.
    polls.answerChanged();
    expect(poll.sent).toEqual([`changed up to ${since + 2}`]);
    expect(polls.size).toBe(0);
    await flushed();
    expect(poll.sent).toHaveLength(1);

    // Told when nothing changed, it answers nothing: a poll held after it waits for its change.
    const next = countingPoll(store, store.timestamp);
    polls.add(next);
    polls.answerChanged();
    expect(next.sent).toEqual([]);
    store.set('io', 'a', '2');
    await flushed();
    expect(next.sent).toEqual([`changed up to ${since + 3}`]);
    polls.stop();
  });
});
