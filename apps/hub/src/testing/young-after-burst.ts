/**
 * Run by `tree/young-after-burst.test.ts` in a Node of its own, with `--allow-natives-syntax`.
 *
 * V8 makes a literal's later objects old for good once most of its objects outlive a young
 * collection (see entryOf in packages/protocol/src/entry-of.ts). The hub meets that with its first
 * answer after a sync: thousands of changes read, and held for the browsers' next flush, at once.
 * This program does the same: the young generation grown to its largest, then one answer of a burst
 * of changes read and applied to a tree whose listener holds every point, as a browser's pending
 * changes do, and the same burst answered from a served API's change store; then ordinary answers.
 * It prints which share of the ordinary answers' objects V8 still made young: the change reader's
 * pairs, the tree's points and the change store's pairs. Made by literals (before this test), the
 * points were all made old in three runs of three, a quarter to a half of the reader's pairs in
 * three runs of five, and all of the change store's in four runs of four.
 */
import type { Point } from '@riohub/hub-api';
import { decodeState, type Entry } from '@riohub/protocol';
import { ChangeStore } from '@riohub/rio-server';
import { PointTree } from '../tree/point-tree';

const isYoung = new Function('object', 'return %InYoungGeneration(object)') as (object: unknown) => boolean;

const BURST = 300_000;
const ANSWERS = 50;
const CHANGES = 100;

/** A usual answer of `count` changes from `light.<first>` on, as a simulator writes it. */
function answer(first: number, count: number, value: string): readonly Entry[] {
  const io = Object.fromEntries(Array.from({ length: count }, (_, index) => [`light.${first + index}`, value]));
  const state = decodeState(JSON.stringify({ hsycostate: { timestamp: Date.now(), topotime: 1, io } }));
  if (!state.io) throw new Error('an answer without its changes');
  return state.io;
}

const tree = new PointTree();
let held: Point[] = [];
tree.onChange((point) => held.push(point));

// Objects that outlive young collections, until the young generation stops growing.
for (let made = 0, grown: object[] = []; made < 2_000_000; made++) {
  grown.push({ made });
  if (grown.length > BURST) grown = [];
}

const store = new ChangeStore();
const everything = () => true;
const burst = answer(0, BURST, '1');
tree.setAll('remote', 'io', burst, false, true);
for (const [name, value] of burst) store.set('io', name, value);
if (store.changesSince('io', store.origin, everything).length !== BURST) throw new Error('the store did not answer the burst');
held = [];

// Each ordinary answer changes its points from the burst's value.
const young = { pairs: 0, points: 0, served: 0 };
for (let round = 0; round < ANSWERS; round++) {
  const entries = answer(round * CHANGES, CHANGES, '0');
  tree.setAll('remote', 'io', entries, false, true);
  const since = store.timestamp;
  for (const [name, value] of entries) store.set('io', name, value);
  const answered = store.changesSince('io', since, everything);
  young.pairs += entries.filter(isYoung).length;
  young.points += held.filter(isYoung).length;
  young.served += answered.filter(isYoung).length;
  held = [];
}
const share = (count: number) => count / (ANSWERS * CHANGES);
process.stdout.write(`${JSON.stringify({ pairs: share(young.pairs), points: share(young.points), served: share(young.served) })}\n`);
