/** Who is signed in, the socket's state, the remotes, the merged topology, the storage and the pair's standing. */
import type { PairStanding, RemoteView, StorageStatus, User } from '@riohub/hub-api';
import type { StateCreator } from 'zustand';

export interface HubSlice {
  /** `undefined` while unknown (the first session check), `null` when signed out. */
  user: User | null | undefined;
  connected: boolean;
  /** Whether a first snapshot has arrived since the socket (re)connected. */
  synced: boolean;
  remotes: RemoteView[];
  /** Whether the hub can write its database (changes are refused while it cannot). */
  storage: StorageStatus;
  /** On PostgreSQL, whether this hub is the active one of those sharing the database; `undefined` on SQLite. */
  pair: PairStanding | undefined;
  /** Device parameters by full name, from the topology: which control a point gets. */
  devices: Map<string, string[]>;
  setUser(user: User | null): void;
  setConnected(connected: boolean): void;
  setSynced(synced: boolean): void;
  setRemotes(remotes: RemoteView[]): void;
  setStorage(storage: StorageStatus): void;
  setPair(pair: PairStanding): void;
  mergeRemotes(changed: RemoteView[]): void;
  /**
   * An entry as a REST answer returned it after a change made here: its settings, with the status
   * the socket last reported. The socket's news of the change (online after Enable) may come
   * before the answer, whose status is from when the change began.
   */
  mergeSavedRemote(saved: RemoteView): void;
  removeRemote(name: string): void;
  setDevices(devices: Map<string, string[]>): void;
}

export const createHubSlice: StateCreator<HubSlice, [], [], HubSlice> = (set, get) => ({
  user: undefined,
  connected: false,
  synced: false,
  remotes: [],
  storage: { ok: true },
  pair: undefined,
  devices: new Map(),
  setUser: (user) => set({ user }),
  setConnected: (connected) => set({ connected }),
  setSynced: (synced) => set({ synced }),
  setRemotes: (remotes) => set({ remotes }),
  setStorage: (storage) => set({ storage }),
  setPair: (pair) => set({ pair }),
  mergeRemotes(changed) {
    const byName = new Map(get().remotes.map((remote) => [remote.name, remote]));
    for (const remote of changed) byName.set(remote.name, remote);
    set({ remotes: [...byName.values()] });
  },
  mergeSavedRemote(saved) {
    const known = get().remotes.find((remote) => remote.name === saved.name);
    get().mergeRemotes([known ? { ...saved, status: known.status } : saved]);
  },
  removeRemote: (name) => set({ remotes: get().remotes.filter((remote) => remote.name !== name) }),
  setDevices: (devices) => set({ devices }),
});
