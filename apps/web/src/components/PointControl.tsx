/**
 * The control a point gets from its device type: a switch for on/off lights, a slider for dimmers,
 * Up/Stop/Down for shutters, else a value input. While a write is pending the control shows the
 * value asked for; a refused or failed write shows its reason and the control reverts. A stale
 * point's control says why a write would be refused (and is described by it).
 */
import type { Point } from '@riohub/hub-api';
import { useEffect, useRef, useState } from 'react';
import { socketClient } from '../live/socket-client';
import { pointKey, useHub } from '../store';
import { staleNoteId, StaleWriteNote } from './stale';

export type ControlKind = 'switch' | 'slider' | 'shutter' | 'input';

export function controlKind(params: string[] | undefined, kind: Point['kind']): ControlKind | undefined {
  if (kind === 'hub') return undefined;
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
  const shown = write && !write.error ? write.value : point.value;
  const describedBy = staleReason === undefined ? undefined : staleNoteId(point.name);
  return (
    <div className="flex items-center gap-2">
      {control === 'switch' && <Switch name={point.name} on={shown === '1'} busy={!!write && !write.error} describedBy={describedBy} onChange={(on) => send(on ? '1' : '0')} />}
      {control === 'slider' && <Slider name={point.name} value={Number(shown) || 0} describedBy={describedBy} onCommit={(level) => send(String(level))} />}
      {control === 'shutter' && <ShutterButtons name={point.name} describedBy={describedBy} onCommand={send} />}
      {control === 'input' && <ValueInput name={point.name} value={point.value} describedBy={describedBy} onSet={send} />}
      {staleReason !== undefined && !write && <StaleWriteNote name={point.name} reason={staleReason} />}
      {write && !write.error && <span className="text-xs text-slate-500">pending…</span>}
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
      className={`relative h-5 w-9 rounded-full transition-colors ${on ? 'bg-green-600' : 'bg-slate-400 dark:bg-slate-600'}`}
    >
      <span className={`absolute top-0.5 h-4 w-4 rounded-full bg-white transition-all ${on ? 'left-4.5' : 'left-0.5'}`} />
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
      <span className="w-8 text-right tabular-nums text-sm">{level}</span>
    </span>
  );
}

function ShutterButtons({ name, describedBy, onCommand }: { name: string; onCommand(command: string): void } & Described) {
  return (
    <div role="group" aria-label={name} aria-describedby={describedBy} className="flex gap-1">
      {(['up', 'stop', 'down'] as const).map((command) => (
        <button key={command} type="button" onClick={() => onCommand(command)} className="rounded border border-slate-300 px-2 text-sm capitalize dark:border-slate-700">
          {command === 'up' ? 'Up' : command === 'stop' ? 'Stop' : 'Down'}
        </button>
      ))}
    </div>
  );
}

function ValueInput({ name, value, describedBy, onSet }: { name: string; value: string; onSet(value: string): void } & Described) {
  const [draft, setDraft] = useState(value);
  return (
    <form
      className="flex gap-1"
      onSubmit={(event) => {
        event.preventDefault();
        onSet(draft);
      }}
    >
      <input aria-label={`New value of ${name}`} aria-describedby={describedBy} value={draft} onChange={(e) => setDraft(e.target.value)} className="w-32 rounded border border-slate-300 px-1 text-sm dark:border-slate-700 dark:bg-slate-900" />
      <button type="submit" aria-label={`Set ${name}`} className="rounded border border-slate-300 px-2 text-sm dark:border-slate-700">
        Set
      </button>
    </form>
  );
}
