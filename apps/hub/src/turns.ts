/**
 * Work on one key (a remote, a user, a setting) one piece after another, in the order it was
 * asked for, while work on other keys runs alongside. A piece that fails does not stop the next.
 */
export class Turns {
  /** Per key, the tail of the work asked for; gone once it is all done. */
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once every piece asked for `key` before it has ended. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const next = (this.tails.get(key) ?? Promise.resolve()).then(work, work);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Resolves once the work asked for until now, on every key, has ended. */
  async settled(): Promise<void> {
    await Promise.all(this.tails.values());
  }
}
