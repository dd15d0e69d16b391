/**
 * The one way a value reaches a remote, whoever asks (the dashboard, the REST API, the hub's own
 * Remote I/O API, MQTT): plan → record → send → record → confirm.
 *
 * - Plan: every name is checked before anything is sent (known, writable, its remote online, not
 *   stale below it). One refusal refuses the whole request, and nothing is sent.
 * - Record: the writes go to the write log as `sending`, all or none; when the storage cannot
 *   take them, nothing is sent.
 * - Send: one request per remote, the remotes in parallel.
 * - Record the outcome; an applied write then waits for its value to come back through the poll
 *   (`confirmed`).
 * Requests take turns, in the order they came, to be planned, recorded and sent (their answers
 * are awaited side by side): two writes to one name are logged in the order they were sent.
 * Every outcome is in the write log with who asked and through what.
 */
import {
  ERROR_CODES,
  fail,
  ok,
  staleBelowReason,
  type ApiError,
  type ErrorCode,
  type PairStanding,
  type Point,
  type Result,
  type WriteOrigin,
  type WriteRecord,
  type WriteRequest,
  type WriteStatus,
} from '@riohub/hub-api';
import { describeWriteRefusal, isValidName, isValidValue, MAX_VALUE_BYTES, textFault, type Write, type WriteResult } from '@riohub/protocol';
import type { StorageHealth } from '../db/storage-health';
import { storableText, type Queryable, type Store } from '../db/store';
import type { HubEventBus } from '../hub-events';
import type { RemoteLink } from '../links/remote-link';
import { NotActiveError } from '../pair/active-election';
import type { PointTree } from '../tree/point-tree';
import { WriteLog } from './write-log';

/** How long an applied write waits for its value to come back before it stays "applied". */
const CONFIRM_TIMEOUT_MS = 30_000;
/** How long a remote's `control disabled` answer is taken as its stand, before it is asked again. */
export const CONTROL_REFUSAL_MEMORY_MS = 60_000;

/** Why a remote's points cannot be written while it refuses control. */
export function controlRefusedReason(remote: string): string {
  return `${remote} refuses control (it answered "control disabled")`;
}

export interface WriteLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** What the pipeline needs to know of the remotes' links. */
export interface WriteTargets {
  /** The link that sends to a polled remote. */
  link(remote: string): RemoteLink | undefined;
  /** `offline`, `disabled`, `inactive`…: how an unreachable remote is described. */
  connection(remote: string): string;
  /** Whether a remote entry of that name exists (its points may outlive a deletion for a moment). */
  exists(remote: string): boolean;
  /** On PostgreSQL, this hub's elected standing: a standby sends nothing itself. */
  standing?(): PairStanding | undefined;
  /** A standby's way to have the active hub write (pair/hub-pair.ts). */
  forward?(request: WriteRequest, origin: WriteOrigin): Promise<Result<WriteRecord>>;
  /** On PostgreSQL: sends a standby's Remote I/O API write (all or nothing) to the active hub, and answers its result. */
  forwardMany?(kind: 'io' | 'ui', writes: readonly Write[], origin: WriteOrigin): Promise<WriteResult>;
  /** Run inside the transaction that records writes as `sending`: throws when this hub may no longer send (a deposed active hub). */
  fence?: (tx: Queryable) => Promise<void>;
}

/**
 * How one name of a request went. `sent` is false when the hub refused it before sending;
 * `withOthers` when only another name of the same request was refused.
 */
export interface NameOutcome {
  name: string;
  record?: WriteRecord;
  error?: ApiError;
  sent: boolean;
  withOthers?: true;
}

type Planned = Omit<WriteRecord, 'id' | 'status'>;

interface Refusal {
  code: ErrorCode;
  reason: string;
  /** `failed` when the remote cannot be reached; `refused` when the hub or the remote says no. */
  status: 'refused' | 'failed';
}

/** Why a name of a refused request is not sent when nothing was wrong with it. */
const REFUSED_WITH_OTHERS: Refusal = { code: ERROR_CODES.CONFLICT, reason: 'not sent: other names of the same write were refused', status: 'refused' };

/**
 * How a request left its turn: answered without sending (refused, or not recorded), or sent, its
 * outcomes then settling as the remotes answer.
 */
type Admission = { answered: NameOutcome[] } | { sent: Promise<NameOutcome[]> };

interface PendingConfirmation {
  record: WriteRecord;
  timer: NodeJS.Timeout;
}

export class WritePipeline {
  readonly log: WriteLog;
  /** Per `kind:name`, the applied writes waiting for their value, oldest first. */
  private readonly pending = new Map<string, PendingConfirmation[]>();
  /** Per remote, when its `control disabled` is forgotten (its points writable again). */
  private readonly controlRefusals = new Map<string, NodeJS.Timeout>();
  /** The end of the last request's turn to be planned, recorded and sent. */
  private turns: Promise<unknown> = Promise.resolve();

  constructor(
    store: Store,
    private readonly storage: StorageHealth,
    private readonly tree: PointTree,
    private readonly events: HubEventBus,
    private readonly targets: WriteTargets,
    private readonly logger: WriteLogger,
  ) {
    this.log = new WriteLog(store);
  }

  /** One value, as an operator writes it: its record, or why it was not applied (with the record when there is one). */
  async writeOne(request: WriteRequest, origin: WriteOrigin): Promise<Result<WriteRecord>> {
    const kind = request.kind ?? 'io';
    if (!isValidName(request.name)) return fail(ERROR_CODES.INVALID, `bad name "${request.name}"`, { name: 'is not a valid name' });
    if (!isValidValue(request.value)) return fail(ERROR_CODES.INVALID, `the value is over ${MAX_VALUE_BYTES} bytes`, { value: 'is too long' });
    const fault = textFault(request.value);
    if (fault) return fail(ERROR_CODES.INVALID, `the value is not valid text: it holds ${fault}`, { value: 'is not valid text' });
    // A standby's operator writes through the active hub, which checks, logs and sends it.
    const standing = this.targets.standing?.();
    if (standing && !standing.active && this.targets.forward) return this.targets.forward({ ...request, kind }, origin);
    const [outcome] = (await this.run(kind, [[request.name, request.value]], origin)) as [NameOutcome];
    if (!outcome.error) return ok(outcome.record as WriteRecord);
    const message = outcome.sent || outcome.error.code === ERROR_CODES.STORAGE_FAILED ? outcome.error.message : `${outcome.error.message}: nothing was sent`;
    return fail(outcome.error.code, message, undefined, outcome.record);
  }

  /**
   * Several values, as the hub's own Remote I/O API forwards them (`rioset`, `riouiset`): all or
   * nothing across remotes. A remote can still refuse after another applied its part; the answer
   * then says `partly applied` and which names failed.
   */
  async writeMany(kind: 'io' | 'ui', writes: readonly Write[], origin: WriteOrigin): Promise<WriteResult> {
    // A standby's client writes through the active hub, as its operators do.
    const standing = this.targets.standing?.();
    if (standing && !standing.active && this.targets.forwardMany) return this.targets.forwardMany(kind, writes, origin);
    const outcomes = await this.run(kind, writes, origin);
    const unapplied = outcomes.filter((outcome) => outcome.error);
    if (unapplied.length === 0) return { ok: true };
    const applied = outcomes.length - unapplied.length;
    // The names to blame: with nothing applied, those refused only with the others are not listed
    // (nothing of them was wrong). With a part applied, every name that was not is: a hub above
    // reads the names a `partly applied` leaves out as applied.
    const failed = applied > 0 ? unapplied : unapplied.filter((outcome) => !outcome.withOthers);
    this.logger.warn({ user: origin.user, via: origin.via, failed: failed.length, applied }, 'forwarded write refused');
    return {
      ok: false,
      error: applied > 0 ? 'partly applied' : 'not applied',
      names: failed.map((outcome) => outcome.name),
      reasons: Object.fromEntries(failed.map((outcome) => [outcome.name, (outcome.error as ApiError).message])),
    };
  }

  /** The write log, the newest first; `before` pages back by id. */
  history(limit: number, before?: number): Promise<WriteRecord[]> {
    return this.log.list(limit, before);
  }

  /** Whether any applied write waits for its value (the links' hot path asks before `observe`). */
  get awaiting(): boolean {
    return this.pending.size > 0;
  }

  /** A value a remote reported: the write that set it is confirmed (the poll does not wait for the record). */
  observe(kind: 'io' | 'ui', name: string, value: string): void {
    const key = `${kind}:${name}`;
    const waiting = this.pending.get(key);
    if (!waiting?.some((entry) => entry.record.newValue === value)) return;
    // Each write of this value is confirmed: a write the next one replaced before the poll saw it
    // stays applied, one whose value the poll saw in between is confirmed as well.
    this.keepWaiting(
      key,
      waiting.filter((entry) => {
        if (entry.record.newValue !== value) return true;
        clearTimeout(entry.timer);
        void this.confirm(entry.record);
        return false;
      }),
    );
  }

  /** What still waits for its value under `key`, the key gone with the last of it. */
  private keepWaiting(key: string, left: PendingConfirmation[]): void {
    if (left.length > 0) this.pending.set(key, left);
    else this.pending.delete(key);
  }

  /** Makes a remote's points writable again: its link restarted (and asks anew), or it was deleted. */
  forgetControlRefusal(remote: string): void {
    clearTimeout(this.controlRefusals.get(remote));
    this.controlRefusals.delete(remote);
    if (this.tree.remoteReadOnly(remote) === controlRefusedReason(remote)) this.tree.setRemoteReadOnly(remote, undefined);
  }

  stop(): void {
    for (const waiting of this.pending.values()) for (const { timer } of waiting) clearTimeout(timer);
    this.pending.clear();
    for (const timer of this.controlRefusals.values()) clearTimeout(timer);
    this.controlRefusals.clear();
  }

  /** Plans, records, sends and settles a request; one outcome per name, in order. */
  private async run(kind: 'io' | 'ui', writes: readonly Write[], origin: WriteOrigin): Promise<NameOutcome[]> {
    const turn = this.turns.then(() => this.admit(kind, writes, origin));
    this.turns = turn.catch(() => undefined);
    const admission = await turn;
    return 'answered' in admission ? admission.answered : admission.sent;
  }

  /**
   * A request's turn: planned, recorded, and on its way to the remotes before the next request
   * is planned, as when recording did not wait. The checks are made again once the records are
   * stored: the tree may have changed meanwhile (a remote went offline, refused control, was
   * deleted), and what they refuse then is not sent.
   */
  private async admit(kind: 'io' | 'ui', writes: readonly Write[], origin: WriteOrigin): Promise<Admission> {
    const at = Date.now();
    const planned: Planned[] = writes.map(([name, value]) => {
      const point = this.tree.get(kind, name);
      return { at, ...origin, remote: point?.remote ?? '', name, kind, oldValue: point?.value ?? null, newValue: value };
    });
    const refusals = this.checkAll(kind, planned);
    if (refusals.size > 0) return { answered: await this.refuse(planned, refusals) };

    const sending = await this.recordIntent(planned);
    if (!sending.ok) return { answered: planned.map(({ name }) => ({ name, error: sending.error, sent: false })) };
    const lateRefusals = this.checkAll(kind, planned);
    if (lateRefusals.size > 0) return { answered: await this.withdraw(sending.data, lateRefusals) };
    return { sent: this.send(kind, sending.data) };
  }

  /** Sends recorded writes, one request per remote, the remotes in parallel, and settles them by the answers. */
  private async send(kind: 'io' | 'ui', sending: readonly WriteRecord[]): Promise<NameOutcome[]> {
    const byRemote = new Map<string, WriteRecord[]>();
    for (const record of sending) {
      const records = byRemote.get(record.remote) ?? [];
      records.push(record);
      byRemote.set(record.remote, records);
    }
    const settled = new Map<WriteRecord, NameOutcome>();
    await Promise.all(
      [...byRemote].map(async ([remote, records]) => {
        const link = this.targets.link(remote) as RemoteLink;
        const answer = await link.write(kind, records.map((record) => [record.name.slice(remote.length + 1), record.newValue]));
        this.noteControl(remote, answer);
        for (const record of records) settled.set(record, await this.settleSent(record, remote, answer));
      }),
    );
    return sending.map((record) => settled.get(record) as NameOutcome);
  }

  /** Why the hub will not send each name that it will not send, by the name's index. */
  private checkAll(kind: 'io' | 'ui', planned: readonly Planned[]): Map<number, Refusal> {
    const refusals = new Map<number, Refusal>();
    planned.forEach(({ name }, index) => {
      const refusal = this.check(kind, name, this.tree.get(kind, name));
      if (refusal) refusals.set(index, refusal);
    });
    return refusals;
  }

  /** Why the hub will not send this name (`point`: the tree's, if it has one), if it will not. */
  private check(kind: 'io' | 'ui', name: string, point: Point | undefined): Refusal | undefined {
    // The served API shows the hub's own point where a remote's datapoint has the same name.
    const own = kind === 'io' ? this.tree.get('hub', name) : undefined;
    if (own) return { code: ERROR_CODES.READ_ONLY, reason: `${name} is read only: ${own.readOnly}`, status: 'refused' };
    const remote = point?.remote;
    if (!point || !remote || !this.targets.exists(remote)) {
      return { code: ERROR_CODES.NOT_FOUND, reason: `no ${kind === 'ui' ? 'GUI variable' : 'datapoint'} ${name}`, status: 'refused' };
    }
    if (point.readOnly) return { code: ERROR_CODES.READ_ONLY, reason: `${name} is read only: ${point.readOnly}`, status: 'refused' };
    const standing = this.targets.standing?.();
    if (standing && !standing.active) return { code: ERROR_CODES.STANDBY, reason: standbyReason(standing), status: 'refused' };
    if (!this.targets.link(remote) || !this.tree.isOnline(remote)) {
      return { code: ERROR_CODES.REMOTE_OFFLINE, reason: `${remote} is ${this.targets.connection(remote)}`, status: 'failed' };
    }
    // Stale from below: the level below would refuse it too, as would every level under that.
    if (this.tree.isStaleBelow(kind, name)) return { code: ERROR_CODES.POINT_STALE, reason: `${name} is stale: ${staleBelowReason(remote)}`, status: 'refused' };
    return undefined;
  }

  /** Records a refused request, every name of it, and answers why; nothing was sent. */
  private async refuse(planned: readonly Planned[], refusals: ReadonlyMap<number, Refusal>): Promise<NameOutcome[]> {
    const entries = planned.map((write, index) => ({ write, refusal: refusals.get(index) ?? REFUSED_WITH_OTHERS }));
    let records: WriteRecord[] | undefined;
    // Nothing was sent: a storage failure here loses no outcome, and the answer stands.
    try {
      records = await this.storage.write(() => this.log.recordAll(entries.map(({ write, refusal }) => ({ ...write, status: refusal.status, error: refusal.reason }))));
    } catch (error) {
      if (!this.storage.isStorageError(error)) throw error;
    }
    for (const status of ['refused', 'failed'] as const) {
      const count = entries.filter(({ refusal }) => refusal.status === status).length;
      if (count > 0) this.events.emit('written', status, count);
    }
    return entries.map(({ write, refusal }, index) => refusedOutcome(write.name, refusal, records?.[index]));
  }

  /** Settles writes recorded as `sending` that the checks refuse once they are stored; nothing was sent. */
  private async withdraw(sending: readonly WriteRecord[], refusals: ReadonlyMap<number, Refusal>): Promise<NameOutcome[]> {
    const outcomes: NameOutcome[] = [];
    for (const [index, record] of sending.entries()) {
      const refusal = refusals.get(index) ?? REFUSED_WITH_OTHERS;
      outcomes.push(refusedOutcome(record.name, refusal, await this.settle(record, refusal.status, refusal.reason)));
    }
    return outcomes;
  }

  /** Records writes as `sending`, all or none; a storage failure refuses them before anything is sent. */
  private async recordIntent(writes: readonly Planned[]): Promise<Result<WriteRecord[]>> {
    try {
      return ok(await this.storage.write(() => this.log.recordAll(writes.map((write) => ({ ...write, status: 'sending' as const })), this.targets.fence)));
    } catch (error) {
      if (error instanceof NotActiveError) {
        this.events.emit('written', 'refused', writes.length);
        return fail(ERROR_CODES.STANDBY, `${error.message}: nothing was sent`);
      }
      if (!this.storage.isStorageError(error)) throw error;
      this.events.emit('written', 'failed', writes.length);
      return fail(ERROR_CODES.STORAGE_FAILED, `${this.storage.describe(error)}: the write cannot be recorded, so nothing was sent`);
    }
  }

  /** A sent write's outcome, from its remote's answer. */
  private async settleSent(record: WriteRecord, remote: string, answer: Result<WriteResult>): Promise<NameOutcome> {
    const { name, user, via } = record;
    // Why it failed may quote the remote: answered as the write log keeps it (storableText).
    if (!answer.ok) {
      this.logger.warn({ remote, name, user, via, error: answer.error.code }, 'write failed');
      const error = { ...answer.error, message: storableText(answer.error.message) };
      const failed = await this.settle(record, 'failed', error.message);
      // Sent and unanswered, it may have been applied: its value coming back confirms it.
      if (answer.error.code === ERROR_CODES.NO_ANSWER && record.oldValue !== record.newValue) {
        if (this.tree.get(record.kind, name)?.value === record.newValue) await this.confirm(failed);
        else this.awaitConfirmation(failed);
      }
      return { name, record: failed, error, sent: true };
    }
    if (!answer.data.ok) {
      // An answer that names what was refused: the others of a hub's `partly applied` were applied
      // there; those of a `not applied` or an `unknown` were refused only with them (PROTOCOL.md).
      const refusal = answer.data;
      if ('names' in refusal && !refusal.names.includes(name.slice(remote.length + 1))) {
        if (refusal.error === 'partly applied') return this.settleApplied(record, remote);
        const reason = storableText(`${remote} applied none of the write: other names of it were refused there`);
        return { name, record: await this.settle(record, 'refused', reason), error: { code: ERROR_CODES.CONFLICT, message: reason }, sent: true, withOthers: true };
      }
      const reason = storableText(`${remote} refused the write: ${describeWriteRefusal(refusal)}`);
      return { name, record: await this.settle(record, 'refused', reason), error: { code: ERROR_CODES.REMOTE_REFUSED, message: reason }, sent: true };
    }
    return this.settleApplied(record, remote);
  }

  /** A write its remote applied: stored so, then confirmed once its value comes back. */
  private async settleApplied(record: WriteRecord, remote: string): Promise<NameOutcome> {
    const { name, user, via } = record;
    this.logger.info({ remote, name, user, via }, 'write applied');
    const applied = await this.settle(record, 'applied');
    // Looked at once `applied` is stored (a confirmation must follow it): a value that came back
    // meanwhile is in the tree by now.
    if (this.tree.get(record.kind, name)?.value === record.newValue) await this.confirm(applied);
    else this.awaitConfirmation(applied);
    return { name, record: applied, sent: true };
  }

  /**
   * Records a write's outcome. It has happened whatever the storage says: a failure to record
   * it is logged with the whole write, so that the log holds what the write log could not.
   */
  private async settle(record: WriteRecord, status: WriteStatus, error?: string): Promise<WriteRecord> {
    // Only this outcome's error: a failed write confirmed after all keeps none, as its row does not.
    const settled: WriteRecord = { ...record, status };
    if (error === undefined) delete settled.error;
    else settled.error = error;
    // A confirmation follows an applied write, which was counted then.
    if (status === 'applied' || status === 'refused' || status === 'failed') this.events.emit('written', status, 1);
    try {
      await this.storage.write(() => this.log.setStatus(record.id, status, error));
    } catch (failure) {
      this.logger.error({ write: settled, err: failure }, 'write outcome not recorded: the write log still says sending');
    }
    return settled;
  }

  /**
   * What a remote's answer to a write says of its control: `control disabled` makes all its points
   * read only for as long as the refusal is remembered (then the next write asks again: an admin
   * of the remote may have allowed control), or until its link restarts or a write is applied.
   */
  private noteControl(remote: string, answer: Result<WriteResult>): void {
    if (!answer.ok) return;
    if (answer.data.ok) return this.forgetControlRefusal(remote);
    if (answer.data.error !== 'control disabled') return;
    this.tree.setRemoteReadOnly(remote, controlRefusedReason(remote));
    clearTimeout(this.controlRefusals.get(remote));
    const timer = setTimeout(() => this.forgetControlRefusal(remote), CONTROL_REFUSAL_MEMORY_MS);
    timer.unref();
    this.controlRefusals.set(remote, timer);
  }

  private awaitConfirmation(record: WriteRecord): void {
    const key = `${record.kind}:${record.name}`;
    const entry: PendingConfirmation = {
      record,
      // Past it, the write stays applied.
      timer: setTimeout(() => this.keepWaiting(key, (this.pending.get(key) ?? []).filter((waiting) => waiting !== entry)), CONFIRM_TIMEOUT_MS),
    };
    this.pending.set(key, [...(this.pending.get(key) ?? []), entry]);
  }

  /**
   * Called from a link's poll, which a failure here must not take offline (nor reject, as the
   * poll does not wait for it): the storage's is logged by settle, a listener's here.
   */
  private async confirm(record: WriteRecord): Promise<void> {
    const confirmed = await this.settle(record, 'confirmed');
    try {
      this.events.emit('confirmed', confirmed);
    } catch (error) {
      this.logger.error({ err: error, write: confirmed.id }, 'a listener failed on a confirmed write');
    }
  }
}

/** A name's answer when the hub did not send it; `record` when the refusal was recorded. */
function refusedOutcome(name: string, refusal: Refusal, record: WriteRecord | undefined): NameOutcome {
  return {
    name,
    ...(record ? { record } : {}),
    error: { code: refusal.code, message: refusal.reason },
    sent: false,
    ...(refusal === REFUSED_WITH_OTHERS ? { withOthers: true as const } : {}),
  };
}

/** Why a standby sends nothing, and where to write instead. */
function standbyReason(standing: PairStanding): string {
  const active = standing.activeHub ? `the active hub is ${standing.activeHub.name}` : 'no hub is active at the moment';
  return `this hub is the standby of a pair: ${active}, write there`;
}
