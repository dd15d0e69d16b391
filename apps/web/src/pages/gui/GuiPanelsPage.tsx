/** For each remote with `ui` on: its GUI variables grouped by object, live, editable by operators. */
import { useMemo } from 'react';
import { StaleBadge, useStaleReason } from '../../components/stale';
import { PointControl } from '../../components/PointControl';
import { useHub, type PointKey } from '../../store';

export function GuiPanelsPage() {
  const keys = useHub((s) => s.keys);
  const remotes = useHub((s) => s.remotes);
  const role = useHub((s) => s.user?.role);
  const panels = useMemo(() => {
    const byRemote = new Map<string, Map<string, PointKey[]>>();
    for (const key of keys) {
      if (!key.startsWith('ui:')) continue;
      const name = key.slice(3);
      const remote = name.slice(0, name.indexOf('.'));
      const object = name.slice(remote.length + 1, name.lastIndexOf('.'));
      const objects = byRemote.get(remote) ?? new Map<string, PointKey[]>();
      objects.set(object, [...(objects.get(object) ?? []), key]);
      byRemote.set(remote, objects);
    }
    return byRemote;
  }, [keys]);
  const withUi = remotes.filter((remote) => remote.options.ui);

  return (
    <section aria-labelledby="gui-title">
      <h1 id="gui-title" className="mb-3 text-lg font-semibold">
        GUI panels
      </h1>
      {withUi.length === 0 && <p>No remote replicates its GUI variables: turn on the remote's ui option in Settings.</p>}
      {/*
        Columns of at least 20rem (the whole width when narrower), each panel as tall as its
        content. A grid item, and a fieldset, would otherwise be as wide as its widest content and
        spill into the next column: min-w-0 lets them shrink, and their content wraps instead.
      */}
      <div className="grid grid-cols-[repeat(auto-fill,minmax(min(100%,20rem),1fr))] items-start gap-3">
        {withUi.map((remote) => (
          <article key={remote.name} aria-label={`GUI panel ${remote.name}`} className="min-w-0 rounded border border-slate-200 p-3 dark:border-slate-800">
            <h2 className="mb-2 font-semibold wrap-anywhere">{remote.name}</h2>
            {[...(panels.get(remote.name) ?? new Map<string, PointKey[]>())].map(([object, objectKeys]) => (
              <fieldset key={object} className="mb-2 min-w-0 rounded border border-slate-100 p-2 dark:border-slate-900">
                <legend className="max-w-full px-1 text-sm font-medium wrap-anywhere">{object}</legend>
                <ul>
                  {objectKeys.map((key) => (
                    <GuiVariable key={key} pointKey={key} editable={role !== 'viewer'} />
                  ))}
                </ul>
              </fieldset>
            ))}
          </article>
        ))}
      </div>
    </section>
  );
}

function GuiVariable({ pointKey, editable }: { pointKey: PointKey; editable: boolean }) {
  const point = useHub((s) => s.points.get(pointKey));
  const staleReason = useStaleReason(point);
  if (!point) return null;
  const attribute = point.name.slice(point.name.lastIndexOf('.') + 1);
  // The attribute, its value and the control share a line while they fit, and wrap when they do
  // not; long values wrap anywhere (a URL, a word wider than a phone) and show four lines at most.
  return (
    <li className={`flex flex-wrap items-baseline gap-x-2 gap-y-1 py-1 text-sm ${staleReason !== undefined ? 'opacity-60' : ''}`}>
      <span className="w-20 shrink-0 text-slate-500 wrap-anywhere">{attribute}</span>
      <span className="line-clamp-4 min-w-0 flex-1 basis-32 wrap-anywhere" title={point.value} aria-label={`Value of ${point.name}`}>
        {point.value}
      </span>
      {staleReason !== undefined && <StaleBadge name={point.name} reason={staleReason} />}
      {point.readOnly !== undefined ? (
        <span className="text-xs text-slate-500" title={point.readOnly}>
          read only<span className="sr-only">: {point.readOnly}</span>
        </span>
      ) : (
        editable && (
          <div className="max-w-full min-w-0">
            <PointControl point={point} control="input" staleReason={staleReason} />
          </div>
        )
      )}
    </li>
  );
}
