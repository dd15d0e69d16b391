/** The rows the Datapoints list shows: a header before each remote and device class, then points. */
import type { PointKey } from '../../store';

export type Row = { type: 'remote'; remote: string } | { type: 'group'; group: string } | { type: 'point'; key: PointKey };

/** A row's identity, kept whatever the search: a row's state (a slider's drag) belongs to it. */
export function rowKey(row: Row): string {
  return row.type === 'point' ? row.key : row.type === 'remote' ? `remote:${row.remote}` : `group:${row.group}`;
}

export function nameOf(key: PointKey): string {
  return key.slice(key.indexOf(':') + 1);
}

/**
 * The device class a name belongs to: the name up to its first numbered segment
 * (`lobby.dummy.autom.1.pos` → `lobby.dummy.autom`), else the name less its last segment.
 * So a device's sub-points (`.pos`) stay with their siblings, however deep hubs nest prefixes.
 */
export function deviceGroup(name: string): string {
  // A scan, not split and a regular expression: it runs for every name of the list in one task.
  let start = name.indexOf('.') + 1;
  if (start === 0) return '';
  while (start < name.length) {
    let end = name.indexOf('.', start);
    if (end === -1) end = name.length;
    if (end > start && allDigits(name, start, end)) return name.slice(0, start - 1);
    start = end + 1;
  }
  return name.slice(0, name.lastIndexOf('.'));
}

function allDigits(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** Datapoints and the hub's own points whose name contains the query, with their headers; keys in list order. */
export function buildRows(keys: readonly PointKey[], query: string): Row[] {
  const needle = query.trim().toLowerCase();
  const rows: Row[] = [];
  let remote = '';
  let group = '';
  for (const key of keys) {
    if (key.startsWith('ui:')) continue;
    const name = nameOf(key);
    if (needle && !name.toLowerCase().includes(needle)) continue;
    const pointRemote = name.slice(0, name.indexOf('.'));
    const pointGroup = deviceGroup(name);
    if (pointRemote !== remote) {
      rows.push({ type: 'remote', remote: pointRemote });
      remote = pointRemote;
      group = '';
    }
    if (pointGroup !== group && pointGroup !== pointRemote) {
      rows.push({ type: 'group', group: pointGroup });
      group = pointGroup;
    }
    rows.push({ type: 'point', key });
  }
  return rows;
}
