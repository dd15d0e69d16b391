/**
 * Applies a checked settings file to a started hub, through the hub's own services, so that each
 * change takes effect as a REST change would and is in the audit (as `config file` from `this
 * machine`). Idempotent: an entry equal to what is stored (its password compared with the stored
 * one, decrypted or verified against its hash) is not touched, so a remote's link is not
 * restarted and the audit gets nothing. Entries not in the file are left alone unless the file
 * says `prune: true`. Everything that can be checked against the stored settings is checked
 * before the first change, the loggers' local ids too; a refusal the hub makes while applying
 * (a change made meanwhile by another admin or hub) stops the start there, with its line.
 */
import { normalizeFingerprint, type AuditAction, type AuditChange, type RemoteSettings, type Result, type Role } from '@riohub/hub-api';
import { secretChange, settingsChanges, without } from '../audit/audit-diff';
import { AuditLog } from '../audit/audit-log';
import { UserRepo, type UserChange } from '../auth/user-repo';
import type { Store } from '../db/store';
import type { Hub } from '../hub';
import { crossFieldErrors, mqttDefaults, MqttSettings, PASSWORD_AGAIN, passwordMayFollow, type MqttSettingsValue } from '../mqtt/mqtt-settings';
import { ServedApiSettings } from '../served/served-api-settings';
import { SettingsFileError, fieldName, type DeclaredRemote, type DeclaredUser, type FieldPath, type Problem, type SettingsFile } from './settings-file';

/** Who the audit says made the changes, and from where. */
export const SETTINGS_FILE_ACTOR = { user: 'config file', address: 'this machine' } as const;

/** What applying changed: `remote lobby`, `user ops`, `served-api`, `mqtt`. */
export interface AppliedSettings {
  created: string[];
  changed: string[];
  deleted: string[];
  unchanged: string[];
}

interface RemotePlan {
  declared: DeclaredRemote;
  settings: RemoteSettings;
  before: RemoteSettings | undefined;
  hadPassword: boolean;
  passwordChanged: boolean;
}

interface UserPlan {
  declared: DeclaredUser;
  before: Role | undefined;
  passwordChanged: boolean;
}

/** The same settings, whatever order their keys were stored in. */
function sameSettings(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => x.localeCompare(y)).map(([key, inner]) => [key, canonical(inner)]))
      : value;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/**
 * Checks and applies a settings file to a started hub, in one go. The served API's settings are
 * read by the app when it is built: applied this way to a running hub, they take effect at its
 * next start (startHub applies them before building it).
 */
export async function applySettings(file: SettingsFile, hub: Hub, store: Store): Promise<AppliedSettings> {
  const plan = await planSettings(file, hub, store);
  await plan.applyAccounts();
  await plan.applyRemotes();
  return plan.applied;
}

/**
 * Checks a settings file against the stored settings (throws SettingsFileError, having changed
 * nothing). At start, users and the served API are applied before the app is built (which reads
 * them), and remotes once the hub has started (a remote is created or changed through its link).
 * On a database without users, the first admin is counted as made unless the file declares one.
 */
export async function planSettings(file: SettingsFile, hub: Hub, store: Store): Promise<SettingsPlan> {
  const served = await ServedApiSettings.load(store);
  const mqtt = await MqttSettings.load(store, hub.siteId);
  // The other hubs of a pair, running already, read them again as after a change made through the API (app.ts).
  const { pair } = hub;
  if (pair) {
    served.share(() => pair.announce('served-api'));
    mqtt.share(() => pair.announce('mqtt'));
  }
  const plan = new SettingsPlan(file, hub, store, served, mqtt);
  await plan.check();
  return plan;
}

/** Whether a file declares an admin: then no first admin is made with a generated password. */
export function declaresAdmin(file: SettingsFile): boolean {
  return (file.users ?? []).some((user) => user.role === 'admin');
}

export class SettingsPlan {
  private readonly users: UserRepo;
  private readonly audit: AuditLog;
  private readonly problems: Problem[] = [];
  readonly applied: AppliedSettings = { created: [], changed: [], deleted: [], unchanged: [] };
  private remotePlans: RemotePlan[] = [];
  private userPlans: UserPlan[] = [];

  constructor(
    private readonly file: SettingsFile,
    private readonly hub: Hub,
    store: Store,
    private readonly served: ServedApiSettings,
    private readonly mqtt: MqttSettings,
  ) {
    this.users = new UserRepo(store);
    this.audit = new AuditLog(store);
  }

  async check(): Promise<void> {
    this.remotePlans = await this.planRemotes();
    this.userPlans = await this.planUsers();
    this.planMqtt();
    if (this.problems.length > 0) throw new SettingsFileError(this.file.file, this.problems);
  }

  /** Users, then this hub's Remote I/O API and its MQTT bridge. */
  async applyAccounts(): Promise<void> {
    await this.applyUsers(this.userPlans);
    await this.applyServedApi();
    await this.applyMqtt();
  }

  async applyRemotes(): Promise<void> {
    await this.applyRemoteChanges(this.remotePlans);
  }

  private problem(path: FieldPath, message: string): void {
    this.problems.push({ line: this.file.lineOf(path), field: path.length > 0 ? fieldName(path) : '(file)', message });
  }

  private async record(action: AuditAction, target: string, changes: AuditChange[]): Promise<void> {
    await this.audit.record({ ...SETTINGS_FILE_ACTOR, action, target, outcome: 'done', changes });
  }

  private async planRemotes(): Promise<RemotePlan[]> {
    const plans: RemotePlan[] = [];
    const declaredRemotes = this.file.remotes ?? [];
    if (declaredRemotes.length === 0) return plans;
    const storedRemotes = new Map((await this.hub.repo.list()).map((remote) => [remote.settings.name, remote]));
    for (const declared of declaredRemotes) {
      const stored = storedRemotes.get(declared.settings.name);
      const settings = { ...declared.settings };
      // Pinned without a fingerprint in the file: the certificate an admin trusted since is kept.
      if (!declared.fingerprintGiven && settings.tls === 'pin' && stored?.settings.tls === 'pin') settings.fingerprint = stored.settings.fingerprint;
      const passwordChanged = !stored || stored.passwordError !== undefined || stored.password !== declared.password;
      plans.push({ declared, settings, before: stored?.settings, hadPassword: stored !== undefined && stored.password !== '', passwordChanged });
    }
    await this.checkLoggerClashes(plans, [...storedRemotes.values()].map((remote) => remote.settings));
    return plans;
  }

  /**
   * The local ids the declared remotes store their loggers under, checked before anything is
   * applied, as the hub checks each when it is applied, in the file's order: against the entries
   * in force then (those the file keeps, the file's remotes before it as changed, those after it
   * as they are still stored) and the history stored of any remote not pruned. An entry the file
   * leaves as stored is not applied, so not checked.
   */
  private async checkLoggerClashes(plans: readonly RemotePlan[], storedRemotes: readonly RemoteSettings[]): Promise<void> {
    const declared = new Set(plans.map((plan) => plan.settings.name));
    const stored = storedRemotes.filter((settings) => !declared.has(settings.name));
    const pruned = this.file.prune ? stored : [];
    const kept = this.file.prune ? [] : stored;
    const deleted = new Set(pruned.map((settings) => settings.name));
    for (const [index, plan] of plans.entries()) {
      if (plan.before && !plan.passwordChanged && sameSettings(plan.before, plan.settings)) continue;
      const later = plans.slice(index + 1).flatMap((next) => (next.before ? [next.before] : []));
      const remotes = [...kept, ...plans.slice(0, index).map((earlier) => earlier.settings), ...later];
      const fields = await this.hub.loggers.clashes(plan.settings, { remotes, deleted });
      for (const [field, message] of Object.entries(fields ?? {})) this.problem([...plan.declared.path, ...field.split('.')], message);
    }
  }

  private async planUsers(): Promise<UserPlan[]> {
    const declared = this.file.users;
    if (!declared) return [];
    const plans: UserPlan[] = [];
    for (const user of declared) {
      const before = await this.users.get(user.name);
      if (!before && user.password === undefined) {
        this.problem(user.path, `${user.name} is a new user: it needs a password (passwordEnv or passwordFile)`);
        continue;
      }
      // A password is stored as a hash: it is the same when it still matches (checked without the
      // sign-in's upgrade of an old hash: nothing is written before the whole file is found good).
      const passwordChanged = user.password !== undefined && (!before || !(await this.users.passwordMatches(user.name, user.password)));
      plans.push({ declared: user, before: before?.role, passwordChanged });
    }
    const stored = await this.users.list();
    // No user yet: the first admin is made unless the file declares an admin.
    const roles = new Map(stored.length === 0 && !declaresAdmin(this.file) ? [['admin', 'admin' as Role]] : stored.map((user) => [user.name, user.role]));
    if (this.file.prune) for (const name of roles.keys()) if (!declared.some((user) => user.name === name)) roles.delete(name);
    for (const user of declared) roles.set(user.name, user.role);
    if (![...roles.values()].includes('admin')) this.problem(['users'], 'this would leave no admin: give at least one user the role admin');
    return plans;
  }

  private async applyRemoteChanges(plans: RemotePlan[]): Promise<void> {
    if (this.file.remotes && this.file.prune) {
      for (const stored of await this.hub.repo.list()) {
        const { name } = stored.settings;
        if (plans.some((plan) => plan.settings.name === name)) continue;
        await this.remoteResult(this.hub.deleteRemote(name), undefined, 'remote.delete', name, () => settingsChanges(without(stored.settings), undefined));
        this.applied.deleted.push(`remote ${name}`);
      }
    }
    for (const plan of plans) {
      const { name } = plan.settings;
      if (!plan.before) {
        await this.remoteResult(this.hub.createRemote({ ...plan.settings, password: plan.declared.password }), plan, 'remote.create', name, () => [
          ...settingsChanges(undefined, without(plan.settings)),
          ...secretChange('password', true, false, true),
        ]);
        this.applied.created.push(`remote ${name}`);
      } else if (plan.passwordChanged || !sameSettings(plan.before, plan.settings)) {
        // The password goes with every change: the hub asks for it again when the server changes.
        const before = plan.before;
        await this.remoteResult(this.hub.updateRemote(name, { ...plan.settings, password: plan.declared.password }), plan, 'remote.update', name, () => [
          ...settingsChanges(without(before), without(plan.settings)),
          ...secretChange('password', plan.passwordChanged, plan.hadPassword, true),
        ]);
        this.applied.changed.push(`remote ${name}`);
      } else this.applied.unchanged.push(`remote ${name}`);
    }
  }

  /** Audits what the hub did with a remote; a refusal is audited too, and stops the start at the entry's line. */
  private async remoteResult<T>(pending: Promise<Result<T>>, plan: RemotePlan | undefined, action: AuditAction, name: string, changes: () => AuditChange[]): Promise<void> {
    const result = await pending;
    if (result.ok) return this.record(action, name, changes());
    const fields = Object.entries(result.error.fields ?? {});
    await this.audit.record({
      ...SETTINGS_FILE_ACTOR,
      action,
      target: name,
      outcome: 'refused',
      changes: [],
      error: fields.length > 0 ? `${result.error.message} (${fields.map(([field, message]) => `${field}: ${message}`).join('; ')})` : result.error.message,
    });
    const path = plan?.declared.path ?? ['remotes'];
    if (fields.length === 0) this.problem(path, result.error.message);
    for (const [field, message] of fields) this.problem([...path, ...field.split('.')], message);
    throw new SettingsFileError(this.file.file, this.problems);
  }

  /**
   * New users and those made admins first, then the other changes, then deletions: the last admin
   * never loses the role, nor is deleted, before the next is made (the file was found to leave one).
   */
  private async applyUsers(plans: UserPlan[]): Promise<void> {
    const grantsAdmin = (plan: UserPlan) => plan.before === undefined || (plan.declared.role === 'admin' && plan.before !== 'admin');
    const ordered = [...plans.filter(grantsAdmin), ...plans.filter((plan) => !grantsAdmin(plan))];
    for (const { declared, before, passwordChanged } of ordered) {
      const { name, role, password } = declared;
      if (!before) {
        await this.users.create(name, role, password as string);
        await this.record('user.create', name, [...settingsChanges(undefined, { role }), ...secretChange('password', true, false, true)]);
        this.applied.created.push(`user ${name}`);
      } else if (before !== role || passwordChanged) {
        this.userChanged(name, declared.path, await this.users.update(name, { ...(before !== role ? { role } : {}), ...(passwordChanged ? { password: password as string } : {}) }));
        await this.record('user.update', name, [...settingsChanges({ role: before }, { role }), ...secretChange('password', passwordChanged, true, true)]);
        this.applied.changed.push(`user ${name}`);
      } else this.applied.unchanged.push(`user ${name}`);
    }
    const declared = this.file.users;
    if (!declared || !this.file.prune) return;
    for (const user of await this.users.list()) {
      if (declared.some((entry) => entry.name === user.name)) continue;
      const outcome = await this.users.delete(user.name);
      // Deleted meanwhile (another hub applying the same file): nothing left to do.
      if (outcome === 'missing') continue;
      this.userChanged(user.name, ['users'], outcome);
      await this.record('user.delete', user.name, settingsChanges({ role: user.role }, undefined));
      this.applied.deleted.push(`user ${user.name}`);
    }
  }

  /** A user's change went through; else (another admin removed meanwhile, or the user) the file stops there. */
  private userChanged(name: string, path: FieldPath, outcome: UserChange): void {
    if (outcome === 'done') return;
    this.problem(path, outcome === 'last admin' ? 'the last admin cannot lose the admin role' : `no user named ${name} any more`);
    throw new SettingsFileError(this.file.file, this.problems);
  }

  private async applyServedApi(): Promise<void> {
    const declared = this.file.servedApi;
    if (!declared) return;
    const current = this.served.current();
    const passwordChanged = declared.password !== undefined && declared.password !== current.password;
    const changed = (Object.keys(declared.settings) as (keyof typeof declared.settings)[]).some((key) => declared.settings[key] !== current[key]);
    if (!changed && !passwordChanged) {
      this.applied.unchanged.push('served-api');
      return;
    }
    // Checked against the route's schema when the file was read.
    const change = await this.served.update({ ...declared.settings, ...(passwordChanged ? { password: declared.password } : {}) });
    const before = this.served.view(this.hub.instanceId, change.before);
    const after = this.served.view(this.hub.instanceId, change.after);
    await this.record('served-api.update', 'served-api', [
      ...settingsChanges(without(before, 'hasPassword', 'instanceId'), without(after, 'hasPassword', 'instanceId')),
      ...secretChange('password', passwordChanged, before.hasPassword, after.hasPassword),
    ]);
    this.applied.changed.push('served-api');
  }

  /**
   * The bridge the file declares: its fields over the defaults (the fingerprint in the form it is
   * stored in, so that the same file compares equal), the stored password unless it names one.
   */
  private declaredMqtt(): MqttSettingsValue | undefined {
    const declared = this.file.mqtt;
    if (!declared) return undefined;
    const next = { ...mqttDefaults(this.hub.siteId), ...declared.settings, password: declared.password ?? this.mqtt.current().password } as MqttSettingsValue;
    return { ...next, fingerprint: normalizeFingerprint(next.fingerprint) ?? next.fingerprint };
  }

  private planMqtt(): void {
    const next = this.declaredMqtt();
    const declared = this.file.mqtt;
    if (!next || !declared) return;
    for (const [field, message] of Object.entries(crossFieldErrors(next))) this.problem([...declared.path, field], message);
    // As through PUT /api/mqtt: the stored password never follows a new broker.
    if (declared.password === undefined && !passwordMayFollow(this.mqtt.current(), next)) {
      this.problem([...declared.path, 'url'], `${PASSWORD_AGAIN.message} (passwordEnv or passwordFile)`);
    }
  }

  private async applyMqtt(): Promise<void> {
    const next = this.declaredMqtt();
    if (!next) return;
    const current = this.mqtt.current();
    if ((Object.keys(next) as (keyof MqttSettingsValue)[]).every((key) => next[key] === current[key])) {
      this.applied.unchanged.push('mqtt');
      return;
    }
    const { password, ...fields } = next;
    const passwordChanged = password !== current.password;
    // A password the file names goes with the change, even unchanged: a new broker needs it given again.
    const updated = await this.mqtt.update({ ...fields, ...(passwordChanged || this.file.mqtt?.password !== undefined ? { password } : {}) });
    // Checked with the same schema and rules when the file was read: a refusal here is a fault of the hub's.
    if (!updated.ok) throw new Error(`the MQTT settings were refused: ${JSON.stringify(updated.fields)}`);
    const before = this.mqtt.view(updated.before);
    const after = this.mqtt.view(updated.after);
    await this.record('mqtt.update', 'mqtt', [
      ...settingsChanges(without(before, 'hasPassword', 'ca'), without(after, 'hasPassword', 'ca')),
      ...(before.ca === after.ca ? [] : [{ field: 'ca', from: before.ca === '' ? '' : 'set', to: after.ca === '' ? '' : 'set' }]),
      ...secretChange('password', passwordChanged, before.hasPassword, after.hasPassword),
    ]);
    this.applied.changed.push('mqtt');
  }
}
