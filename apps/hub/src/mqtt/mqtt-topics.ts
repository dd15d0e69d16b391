/**
 * The bridge's topics, as pure functions (docs/mqtt.md): a point's full name with its dots as
 * levels under its kind, `…/set` for commands, and the hub's own topics.
 *
 *   <base>/io/lobby/dummy/light/1        a datapoint's value, retained
 *   <base>/ui/lobby/status/text          a GUI variable's
 *   <base>/hub/lobby/connection          the hub's own points (a remote's connection, its clock)
 *   <base>/io/lobby/dummy/light/1/set    a command: the payload is the value to write
 *   <base>/status                        online / offline (the will)
 *   <base>/writes                        each command's outcome, as JSON
 *
 * Names are dot-separated segments of `[A-Za-z0-9_-]` (packages/protocol names.ts), so no name
 * holds a `/`, `+` or `#` and the mapping is one to one.
 */
import type { PointKind } from '@riohub/hub-api';

const KINDS: readonly PointKind[] = ['io', 'ui', 'hub'];
const NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

export function stateTopic(base: string, kind: PointKind, name: string): string {
  return `${base}/${kind}/${name.replaceAll('.', '/')}`;
}

export function commandTopic(base: string, kind: PointKind, name: string): string {
  return `${stateTopic(base, kind, name)}/set`;
}

export function statusTopic(base: string): string {
  return `${base}/status`;
}

export function writesTopic(base: string): string {
  return `${base}/writes`;
}

/** Where a remote's connection is published: the hub's own point `<remote>.connection`. */
export function connectionTopic(base: string, remote: string): string {
  return stateTopic(base, 'hub', `${remote}.connection`);
}

/** The subscriptions that bring commands (and, once, the retained state left from before). */
export function namespaceFilters(base: string): string[] {
  return KINDS.map((kind) => `${base}/${kind}/#`);
}

export interface TopicPoint {
  kind: PointKind;
  name: string;
}

/**
 * What a topic under the base names: a point's state, or a command to it (`…/set`), or nothing of
 * the bridge's. A name whose last segment is `set` cannot be told from a command to its parent:
 * `command` is the reading when both are possible, and the caller decides by which point exists.
 */
export function parseTopic(base: string, topic: string): { point: TopicPoint; command: boolean } | undefined {
  if (!topic.startsWith(`${base}/`)) return undefined;
  const levels = topic.slice(base.length + 1).split('/');
  const kind = levels.shift() as PointKind;
  if (!KINDS.includes(kind)) return undefined;
  const command = levels.length > 1 && levels.at(-1) === 'set';
  const name = (command ? levels.slice(0, -1) : levels).join('.');
  if (!NAME.test(name)) return undefined;
  return { point: { kind, name }, command };
}

/** The remote a full name belongs to: its first segment. */
export function remoteOf(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}
