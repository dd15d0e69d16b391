/**
 * A fast reader of the usual state answer (`rioget`): changes, in the shape servers write them.
 * It is the hub's hottest path, every answer of every remote. `JSON.parse` makes an object of each
 * `io`, `ui` and `quality` section, whose keys (a remote's datapoint names) V8 interns one by one:
 * about 0.4 µs a name here, five times what the same text costs as an array. This reader takes
 * the sections' names and values straight out of the text as pairs, which is what the decoder
 * hands on anyway.
 *
 * It is strict and reads only what it fully understands: JSON text exactly as `JSON.parse` would
 * take it, the documented members each once, each section's names once, every value as the
 * decoder's schema would accept it, and no whole state. Anything else (a member it does not know,
 * a name twice, a bad value, text that is not JSON, a whole state) is `undefined`, and the caller
 * decodes the answer the general way, which accepts what it accepts and says what is wrong. So
 * what this reader returns is what the general decoder returns, except that a section's pairs keep
 * the order of the text (an object would put integer-like names first).
 */
import { isQuality, isValidGuiName, isValidName } from './names';
import { entryOf } from './entry-of';
import type { Entry, HsycoState, QualityEntry } from './responses';

/** The characters the reader looks for, by code. */
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;

const isDigit = (code: number) => code >= ZERO && code <= NINE;

/**
 * V8 makes a slice of 13 characters or more a view of the whole text, which it keeps alive for as
 * long as the slice lives: a name or value kept in the tree would keep its answer. Such a slice is
 * copied (a concatenation, flattened by the slice of it). Shorter ones are copies already.
 */
function detached(piece: string): string {
  return piece.length < 13 ? piece : `${piece} `.slice(0, -1);
}

/** Gives up on the answer: the general decoder reads it instead. */
class NotTheUsualShape extends Error {}
const notUsual = new NotTheUsualShape();

class Reader {
  private at = 0;

  constructor(private readonly text: string) {}

  /** Skips JSON whitespace, then returns the next character's code (NaN at the end). */
  peek(): number {
    const text = this.text;
    let at = this.at;
    for (;;) {
      const code = text.charCodeAt(at);
      if (code !== 32 && code !== 10 && code !== 13 && code !== 9) break;
      at++;
    }
    this.at = at;
    return this.text.charCodeAt(at);
  }

  expect(code: number): void {
    if (this.peek() !== code) throw notUsual;
    this.at++;
  }

  /** Takes `code` if it comes next. */
  take(code: number): boolean {
    if (this.peek() !== code) return false;
    this.at++;
    return true;
  }

  atEnd(): boolean {
    return Number.isNaN(this.peek());
  }

  string(): string {
    if (this.peek() !== QUOTE) throw notUsual;
    const text = this.text;
    const start = this.at + 1;
    let at = start;
    let escaped = false;
    for (;;) {
      const code = text.charCodeAt(at);
      if (code === QUOTE) break;
      // Control characters must be escaped in JSON; NaN is the end of the text.
      if (!(code >= 32)) throw notUsual;
      if (code === BACKSLASH) {
        escaped = true;
        at++;
      }
      at++;
    }
    this.at = at + 1;
    if (!escaped) return detached(text.slice(start, at));
    // Escapes are rare in names and values: JSON.parse decodes them, and refuses bad ones.
    try {
      return JSON.parse(text.slice(start - 1, at + 1)) as string;
    } catch {
      throw notUsual;
    }
  }

  /**
   * A JSON number (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`), scanned by hand: a regex would
   * keep the whole text as its last input, alive until the next regex runs.
   */
  number(): number {
    this.peek();
    const text = this.text;
    const start = this.at;
    let at = start;
    if (text.charCodeAt(at) === MINUS) at++;
    if (text.charCodeAt(at) === ZERO) at++;
    else if (isDigit(text.charCodeAt(at))) at = this.digits(at);
    else throw notUsual;
    if (text.charCodeAt(at) === DOT) at = this.atLeastOneDigit(at + 1);
    const exponent = text.charCodeAt(at);
    if (exponent === LOWER_E || exponent === UPPER_E) {
      at++;
      const sign = text.charCodeAt(at);
      if (sign === PLUS || sign === MINUS) at++;
      at = this.atLeastOneDigit(at);
    }
    this.at = at;
    return Number(text.slice(start, at));
  }

  /** Past the digits from `at`. */
  private digits(at: number): number {
    while (isDigit(this.text.charCodeAt(at))) at++;
    return at;
  }

  private atLeastOneDigit(at: number): number {
    if (!isDigit(this.text.charCodeAt(at))) throw notUsual;
    return this.digits(at);
  }

  /** `{"name":"value",…}` as pairs, each name once and valid by `validName`. */
  pairs(validName: (name: string) => boolean): Entry[] {
    this.expect(OPEN_BRACE);
    const pairs: Entry[] = [];
    if (this.take(CLOSE_BRACE)) return pairs;
    // Names come once in what servers write; a name twice is for the general decoder (the last
    // value, at the first place), told by a set only past a few names.
    let names: Set<string> | undefined;
    do {
      const name = this.string();
      this.expect(COLON);
      const value = this.string();
      if (!validName(name)) throw notUsual;
      if (pairs.length >= 8) {
        if (!names) names = new Set(pairs.map(([seen]) => seen));
        if (names.has(name)) throw notUsual;
        names.add(name);
      } else {
        for (const [seen] of pairs) if (seen === name) throw notUsual;
      }
      pairs.push(entryOf(name, value));
    } while (this.take(COMMA));
    this.expect(CLOSE_BRACE);
    return pairs;
  }

  strings(): string[] {
    this.expect(OPEN_BRACKET);
    const list: string[] = [];
    if (this.take(CLOSE_BRACKET)) return list;
    do list.push(this.string());
    while (this.take(COMMA));
    this.expect(CLOSE_BRACKET);
    return list;
  }
}

const isTime = (value: number) => Number.isSafeInteger(value) && value > 0;

/** The state in `text`, or `undefined` when it is not written the usual way (see the file header). */
export function readUsualState(text: string): HsycoState | undefined {
  try {
    return read(new Reader(text));
  } catch (error) {
    if (error === notUsual) return undefined;
    throw error;
  }
}

function read(reader: Reader): HsycoState {
  reader.expect(OPEN_BRACE);
  if (reader.string() !== 'hsycostate') throw notUsual;
  reader.expect(COLON);
  reader.expect(OPEN_BRACE);
  let timestamp: number | undefined;
  let system: boolean | undefined;
  let topotime: number | undefined;
  let io: Entry[] | undefined;
  let ui: Entry[] | undefined;
  let clock: number | undefined;
  let quality: QualityEntry[] | undefined;
  let members: string[] | undefined;
  if (reader.peek() !== CLOSE_BRACE) {
    do {
      const member = reader.string();
      reader.expect(COLON);
      switch (member) {
        case 'timestamp':
          if (timestamp !== undefined || !isTime((timestamp = reader.number()))) throw notUsual;
          break;
        case 'system':
          if (system !== undefined || reader.string() !== 'system') throw notUsual;
          system = true;
          break;
        case 'topotime':
          if (topotime !== undefined || !Number.isSafeInteger((topotime = reader.number())) || topotime < 0) throw notUsual;
          break;
        case 'io':
          if (io) throw notUsual;
          io = reader.pairs(isValidName);
          break;
        case 'ui':
          if (ui) throw notUsual;
          ui = reader.pairs(isValidGuiName);
          break;
        case 'clock':
          if (clock !== undefined || !isTime((clock = reader.number()))) throw notUsual;
          break;
        case 'full':
          // A whole state: its names are kept for as long as the remote has them, and JSON.parse
          // makes them strings of their own, one string for the same name of many remotes.
          throw notUsual;
        case 'quality': {
          if (quality) throw notUsual;
          const pairs = reader.pairs(isValidName);
          if (!pairs.every(([, value]) => isQuality(value))) throw notUsual;
          quality = pairs as QualityEntry[];
          break;
        }
        case 'members':
          if (members) throw notUsual;
          members = reader.strings();
          if (members.some((id) => id.length === 0)) throw notUsual;
          break;
        default:
          throw notUsual;
      }
    } while (reader.take(COMMA));
  }
  reader.expect(CLOSE_BRACE);
  reader.expect(CLOSE_BRACE);
  if (!reader.atEnd() || timestamp === undefined || topotime === undefined) throw notUsual;
  const state: HsycoState = { timestamp, system: system === true, topotime };
  if (io) state.io = io;
  if (ui) state.ui = ui;
  if (clock !== undefined) state.clock = clock;
  if (quality) state.quality = quality;
  if (members) state.members = members;
  return state;
}
