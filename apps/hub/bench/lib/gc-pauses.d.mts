// The types of gc-pauses.mjs, for the benches in TypeScript.
export function observeGcPauses(clock: () => number, each: (start: number, duration: number) => void): () => void;
