// The types of poll-turnarounds.mjs, for the benches in TypeScript.
export function observePollTurnarounds(clock: () => number, each: (written: number, ms: number) => void): void;
