/**
 * What the remotes' topologies say, merged: every remote's devices and locations under its prefix,
 * the instance ids each remote reports (loop detection, PROTOCOL.md `members`), and which of its
 * datapoints are readings rather than commands (the tree marks those read only).
 */
import type { Device } from '@riohub/hub-api';
import type { HsycoTopology } from '@riohub/protocol';
import type { HubEventBus } from '../hub-events';
import type { PointTree } from '../tree/point-tree';

/**
 * The datapoints a remote's topology shows to be readings rather than commands: the `.pos` of a
 * shutter (`AUTOM`), the position it reports while it travels. Full names, with why.
 */
function readingsOf(topology: HsycoTopology, remote: string): Map<string, string> {
  const readings = new Map<string, string>();
  for (const [name, params] of topology.devices) {
    if (params[0] === 'AUTOM') readings.set(`${remote}.${name}.pos`, `the position of shutter ${remote}.${name}, which it reports`);
  }
  return readings;
}

export class TopologyRegistry {
  private readonly devicesByRemote = new Map<string, Device[]>();
  private readonly locationsByRemote = new Map<string, [string, string][]>();
  /** Per remote, the instance ids it last reported: its own, then those below it. */
  private readonly membersByRemote = new Map<string, readonly string[]>();

  constructor(
    private readonly instanceId: string,
    private readonly tree: PointTree,
    private readonly events: HubEventBus,
  ) {}

  devices(): Device[] {
    return [...this.devicesByRemote.values()].flat();
  }

  /** The locations of every remote's topology, their ids prefixed like its devices. */
  locations(): [string, string][] {
    return [...this.locationsByRemote.values()].flat();
  }

  /** This hub's instance id, then every id its remotes report. */
  members(): string[] {
    return [...new Set([this.instanceId, ...[...this.membersByRemote.values()].flat()])];
  }

  set(remote: string, topology: HsycoTopology): void {
    this.devicesByRemote.set(
      remote,
      topology.devices.map(([name, params]) => ({ name: `${remote}.${name}`, remote, params: [...params] })),
    );
    this.locationsByRemote.set(remote, topology.locations.map(([id, label]) => [`${remote}.${id}`, label]));
    this.tree.setReadings(remote, readingsOf(topology, remote));
    this.events.emit('topology');
  }

  /** A remote's devices and locations, when its link will not read them again (or it is gone). */
  forget(remote: string): void {
    const had = this.devicesByRemote.delete(remote);
    this.locationsByRemote.delete(remote);
    this.tree.setReadings(remote, new Map());
    if (had) this.events.emit('topology');
  }

  setMembers(remote: string, members: readonly string[]): void {
    const known = this.membersByRemote.get(remote);
    if (!known || known.length !== members.length || known.some((id, index) => id !== members[index])) this.membersByRemote.set(remote, [...members]);
  }

  forgetMembers(remote: string): void {
    this.membersByRemote.delete(remote);
  }
}
