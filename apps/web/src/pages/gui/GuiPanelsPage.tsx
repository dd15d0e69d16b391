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
      <div className="grid grid-cols-[repeat(auto-fill,minmax(20rem,1fr))] gap-3">
        {withUi.map((remote) => (
          <article key={remote.name} aria-label={`GUI panel ${remote.name}`} className="rounded border border-slate-200 p-3 dark:border-slate-800">
            <h2 className="mb-2 font-semibold">{remote.name}</h2>
            {[...(panels.get(remote.name) ?? new Map<string, PointKey[]>())].map(([object, objectKeys]) => (
              <fieldset key={object} className="mb-2 rounded border border-slate-100 p-2 dark:border-slate-900">
                <legend className="px-1 text-sm font-medium">{object}</legend>
                {objectKeys.map((key) => (
                  <GuiVariable key={key} pointKey={key} editable={role !== 'viewer'} />
                ))}
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
  return (
    <div className={`flex items-center gap-2 py-0.5 text-sm ${staleReason !== undefined ? 'opacity-60' : ''}`}>
      <span className="w-20 text-slate-500">{attribute}</span>
      <span className="flex-1 truncate" aria-label={`Value of ${point.name}`}>
        {point.value}
      </span>
      {staleReason !== undefined && <StaleBadge name={point.name} reason={staleReason} />}
      {editable && <PointControl point={point} control="input" staleReason={staleReason} />}
    </div>
  );
}
