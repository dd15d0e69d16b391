/**
 * Where a remote's link puts what it reads: values and quality into the tree, topology and
 * members into the registry, values that confirm a write to the write pipeline, and the link's
 * status to the fleet. It runs inside a link's poll: nothing here may take long.
 */
import type { RemoteStatus } from '@riohub/hub-api';
import { TRACE_STAGES, traceStage } from '@riohub/rio-server';
import type { HubEventBus } from '../hub-events';
import type { TopologyRegistry } from '../topology/topology-registry';
import type { PointTree } from '../tree/point-tree';
import type { WritePipeline } from '../writes/write-pipeline';
import type { LinkSink } from './remote-link';

export interface LinkSinkParts {
  tree: PointTree;
  events: HubEventBus;
  topology: TopologyRegistry;
  writes: WritePipeline;
  /** A remote's status changed in part. */
  status(remote: string, change: Partial<RemoteStatus>): void;
  logger: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
}

export function createLinkSink({ tree, events, topology, writes, status, logger }: LinkSinkParts): LinkSink {
  /**
   * The remotes of the answer being applied, with how many values it changed of each: the metric
   * and the point count in their status follow once its changes have gone on (`applied`).
   */
  let applying = new Map<string, number>();
  return {
    applyState: (remote, kind, entries, { full, silent }) => {
      // By the remote's own names, straight into its columns: no prefixed name is made per entry.
      const { changed, removed, held } = tree.setAll(remote, kind, entries, full, !silent);
      if (removed.length > 0) events.emit('removed', removed);
      if (writes.awaiting) {
        const prefix = `${remote}.`;
        for (const [name, value] of entries) writes.observe(kind, prefix + name, value);
      }
      applying.set(remote, (applying.get(remote) ?? 0) + changed);
      traceStage(TRACE_STAGES.answerApplied, () => ({ remote, entries }));
      return held;
    },
    applied: (remote) => {
      events.emit('applied', remote);
      const applied = applying;
      applying = new Map();
      for (const [name, changed] of applied) {
        if (changed > 0) events.emit('changed', name, changed);
        // Browsers hear of a changed point count with the remote's status.
        status(name, { points: tree.countOf(name) });
      }
    },
    applyQuality: (remote, quality, { full }) => {
      if (full) {
        const stale = new Set<string>();
        for (const [name, value] of quality) if (value === 'stale') stale.add(name);
        tree.replaceStaleBelowOwn(remote, 'io', stale);
        return;
      }
      for (const [name, value] of quality) tree.setStaleBelowOwn(remote, 'io', name, value === 'stale');
    },
    countNew: (remote, kind, entries) => {
      let count = 0;
      for (const [name] of entries) if (!tree.hasOwn(remote, kind, name)) count++;
      return count;
    },
    setOwnPoint: (remote, suffix, value) => {
      tree.set('hub', `${remote}.${suffix}`, value, remote);
    },
    removeOwnPoint: (remote, suffix) => {
      const ref = { kind: 'hub' as const, name: `${remote}.${suffix}` };
      if (tree.delete(ref.kind, ref.name)) events.emit('removed', [ref]);
    },
    setOnline: (remote, online) => tree.setOnline(remote, online),
    setTopology: (remote, described) => topology.set(remote, described),
    setMembers: (remote, members) => topology.setMembers(remote, members),
    status,
    polled: (remote, seconds) => events.emit('polled', remote, seconds),
    log: (level, remote, message) => logger[level]({ remote }, message),
  };
}
