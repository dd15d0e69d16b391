/**
 * The control a point gets from its device type: a switch for on/off lights, a slider for dimmers,
 * Up/Stop/Down for shutters, else a value editor. While a write is pending the control shows the
 * value asked for; a refused or failed write shows its reason and the control reverts. A stale
 * point's control says why a write would be refused (and is described by it). What an editor
 * holds lives in the store under the point's key, so it never shows in another point's row.
 */
import type { Point } from '@riohub/hub-api';
import { useEffect, useRef, useState } from 'react';
import { socketClient } from '../live/socket-client';
import { pointKey, useHub, type PointKey } from '../store';
import { staleNoteId, StaleWriteNote } from './stale';

export type ControlKind = 'switch' | 'slider' | 'shutter' | 'input';

/** `undefined`: the point gets no control (it cannot be written). */
export function controlKind(params: string[] | undefined, point: Pick<Point, 'kind' | 'readOnly'>): ControlKind | undefined {
  if (point.kind === 'hub' || point.readOnly !== undefined) return undefined;
  if (params?.[0] === 'LIGHT' && params[1] === 'LIGHT') return 'switch';
  if (params?.[0] === 'LIGHT' && params[1] === 'DIMMER') return 'slider';
  if (params?.[0] === 'AUTOM') return 'shutter';
  return 'input';
}

/**
 * `staleReason`: why the point is stale, when it is. The control stays usable: the hub answers a
 * write with the reason at once, and the operator sees it as with any refusal.
 */
export function PointControl({ point, control, staleReason }: { point: Point; control: ControlKind; staleReason?: string | undefined }) {
  const key = pointKey(point.kind, point.name);
  const write = useHub((s) => s.writes[key]);
  const kind = point.kind === 'ui' ? 'ui' : 'io';
  const send = (value: string) => socketClient.write(point.name, kind, value);
  const pending = write && !write.error ? write : undefined;
  const shown = pending ? pending.value : point.value;
  const staleId = staleReason === undefined ? undefined : staleNoteId(point.name);
  return (
    <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
      {control === 'switch' && <Switch name={point.name} on={shown === '1'} busy={!!pending} describedBy={staleId} onChange={(on) => send(on ? '1' : '0')} />}
      {control === 'slider' && <Slider name={point.name} value={Number(shown) || 0} describedBy={staleId} onCommit={(level) => send(String(level))} />}
      {control === 'shutter' && <ShutterButtons name={point.name} describedBy={staleId} onCommand={send} />}
      {control === 'input' && <ValueInput pointKey={key} name={point.name} live={shown} describedBy={staleId} onSet={send} />}
      {staleReason !== undefined && !write && <StaleWriteNote name={point.name} reason={staleReason} />}
      {pending && <span className="text-xs text-slate-500">pending…</span>}
      {write?.error && (
        <span role="alert" className="text-xs text-red-700 dark:text-red-400">
          {write.error}
          <button type="button" className="ml-1 underline" onClick={() => useHub.getState().dismissWrite(key)} aria-label={`Dismiss error of ${point.name}`}>
            ×
          </button>
        </span>
      )}
    </div>
  );
}

/** `describedBy`: the id of the note that says why a write would be refused, while there is one. */
type Described = { describedBy?: string | undefined };

function Switch({ name, on, busy, describedBy, onChange }: { name: string; on: boolean; busy: boolean; onChange(on: boolean): void } & Described) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={on}
      aria-label={name}
      aria-busy={busy}
      aria-describedby={describedBy}
      onClick={() => onChange(!on)}
      className={`relative h-6 w-11 shrink-0 rounded-full transition-colors ${on ? 'bg-green-600' : 'bg-slate-400 dark:bg-slate-600'}`}
    >
      <span className={`absolute top-1 h-4 w-4 rounded-full bg-white transition-all ${on ? 'left-6' : 'left-1'}`} />
    </button>
  );
}

/** Writes on release (the native change event), not on every step of a drag. */
function Slider({ name, value, describedBy, onCommit }: { name: string; value: number; onCommit(level: number): void } & Described) {
  // While dragging, the thumb follows the hand; otherwise it shows the point's value.
  const [dragged, setDragged] = useState<number | null>(null);
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const input = ref.current;
    if (!input) return;
    const onChange = () => {
      onCommit(Number(input.value));
      setDragged(null);
    };
    input.addEventListener('change', onChange);
    return () => input.removeEventListener('change', onChange);
  }, [onCommit]);
  const level = dragged ?? value;
  return (
    <span className="flex items-center gap-2">
      <input ref={ref} type="range" min={0} max={100} step={1} aria-label={name} aria-describedby={describedBy} value={level} onChange={(e) => setDragged(Number(e.target.value))} className="w-32" />
      <span className="w-8 text-right text-sm tabular-nums">{level}</span>
    </span>
  );
}

const SHUTTER_COMMANDS = [
  ['up', 'Up'],
  ['stop', 'Stop'],
  ['down', 'Down'],
] as const;

/** Each button is named for its command and its shutter, so no two rows share a button's name. */
function ShutterButtons({ name, describedBy, onCommand }: { name: string; onCommand(command: string): void } & Described) {
  return (
    <div role="group" aria-label={name} aria-describedby={describedBy} className="flex gap-1">
      {SHUTTER_COMMANDS.map(([command, label]) => (
        <button key={command} type="button" aria-label={`${label} ${name}`} onClick={() => onCommand(command)} className="min-h-7 rounded border border-slate-300 px-2 text-sm dark:border-slate-700">
          {label}
        </button>
      ))}
    </div>
  );
}

/** The id of the note that says a point's editor holds a draft. */
function editNoteId(name: string): string {
  return `edit-note-${name}`;
}

/**
 * Shows the live value (or the one being written) until the operator types; then the draft,
 * kept in the store under the point's key, and a note saying so, and whether the live value
 * moved meanwhile. Set sends the draft; Escape or × abandons it.
 */
function ValueInput({ pointKey: key, name, live, describedBy, onSet }: { pointKey: PointKey; name: string; live: string; onSet(value: string): void } & Described) {
  const draft = useHub((s) => s.drafts[key]);
  const { editDraft, discardDraft } = useHub.getState();
  const noteId = editNoteId(name);
  const description = [draft ? noteId : undefined, describedBy].filter(Boolean).join(' ') || undefined;
  const moved = draft !== undefined && draft.base !== live;
  return (
    <form
      className="flex flex-wrap items-center gap-1"
      onSubmit={(event) => {
        event.preventDefault();
        onSet(draft?.value ?? live);
        discardDraft(key);
      }}
    >
      <input
        aria-label={`New value of ${name}`}
        aria-describedby={description}
        value={draft?.value ?? live}
        onChange={(e) => editDraft(key, e.target.value, live)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') discardDraft(key);
        }}
        className={`w-32 min-w-0 rounded border px-1 text-sm dark:bg-slate-900 ${draft ? 'border-amber-500' : 'border-slate-300 dark:border-slate-700'}`}
      />
      <button type="submit" aria-label={`Set ${name}`} className="rounded border border-slate-300 px-2 text-sm dark:border-slate-700">
        Set
      </button>
      {draft && (
        <span className="flex items-center gap-1 text-xs text-amber-800 dark:text-amber-300">
          <span id={noteId}>{moved ? `editing: the live value changed to "${live}"` : 'editing'}</span>
          <button type="button" aria-label={`Discard the edit of ${name}`} onClick={() => discardDraft(key)} className="underline">
            ×
          </button>
        </span>
      )}
    </form>
  );
}
