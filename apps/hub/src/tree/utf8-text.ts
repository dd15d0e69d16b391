/**
 * Text encoded into UTF-8 bytes piece by piece, as it is made, into one growing buffer: a
 * snapshot chunk of thousands of points is never a string. Joined with `+`, the pieces made a
 * rope that `Buffer.from` first flattened, then encoded: 1.4 s of the hub's 1.9 s of CPU for a
 * snapshot of a million points (a `--cpu-prof` of `pnpm bench end-to-end`), against about 0.3 s
 * written so.
 */
export class Utf8Text {
  private bytes: Buffer;
  private length = 0;

  constructor(capacity = 64 * 1024) {
    this.bytes = Buffer.allocUnsafe(capacity);
  }

  add(text: string): void {
    // A UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair's two units make 4).
    const most = text.length * 3;
    if (this.length + most > this.bytes.length) this.grow(this.length + most);
    this.length += this.bytes.write(text, this.length, 'utf8');
  }

  /** The bytes added since the last take; the next ones start a new buffer of the same capacity. */
  take(): Buffer {
    const taken = this.bytes.subarray(0, this.length);
    this.bytes = Buffer.allocUnsafe(this.bytes.length);
    this.length = 0;
    return taken;
  }

  private grow(needed: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
    this.bytes.copy(bigger, 0, 0, this.length);
    this.bytes = bigger;
  }
}
