/**
 * How a stale point looks: a "stale" badge naming why its value is not live, and the words a
 * control shows for why a write to it would be refused (the hub refuses it at once).
 */
import { staleBelowReason, type Point } from '@riohub/hub-api';
import { useHub } from '../store';

/**
 * Why a point is stale, or `undefined` while it is live: its remote is not online, or the remote
 * serves it stale because the server that owns it, further below, is unreachable.
 */
export function useStaleReason(point: Point | undefined): string | undefined {
  const connection = useHub((s) => (point ? s.remotes.find((remote) => remote.name === point.remote)?.status.connection : undefined));
  if (!point || point.state !== 'stale') return undefined;
  return connection !== undefined && connection !== 'online' ? `${point.remote} is ${connection}` : staleBelowReason(point.remote);
}

export function StaleBadge({ name, reason }: { name: string; reason: string }) {
  return (
    <span role="note" aria-label={`${name} is stale: ${reason}`} title={`stale: ${reason}`} className="rounded bg-amber-200 px-1 text-amber-900 dark:bg-amber-800 dark:text-amber-100">
      stale
    </span>
  );
}

/** The id of a stale point's note, which its control names as its description. */
export function staleNoteId(name: string): string {
  return `stale-note-${name}`;
}

export function StaleWriteNote({ name, reason }: { name: string; reason: string }) {
  const text = `a write would be refused: ${reason}`;
  return (
    <span id={staleNoteId(name)} title={text} className="max-w-64 truncate text-xs text-amber-800 dark:text-amber-300">
      {text}
    </span>
  );
}
