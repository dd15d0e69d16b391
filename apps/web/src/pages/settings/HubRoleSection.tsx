/** This hub's instance id and its high-availability role: set by hand on SQLite, elected on PostgreSQL. */
import type { ApiError, HubInfo, HubRole } from '@riohub/hub-api';
import { useEffect, useState } from 'react';
import { call } from '../../api/http';
import { LocalTime } from '../../components/times';
import { FormAlert } from './form-fields';
import { ui } from './ui';

export function HubRoleSection() {
  const [info, setInfo] = useState<HubInfo>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void call('hub').then((result) => (result.ok ? setInfo(result.data) : setError(result.error)));
  }, []);

  async function switchRole(role: HubRole) {
    setBusy(true);
    setError(undefined);
    const result = await call('setHubRole', {}, { role });
    setBusy(false);
    if (result.ok) setInfo(result.data);
    else setError(result.error);
  }

  const next = info?.role === 'active' ? 'inactive' : 'active';
  return (
    <section aria-labelledby="settings-hub" className={ui.section}>
      <h2 id="settings-hub" className={ui.sectionHeading}>
        Hub
      </h2>
      <FormAlert error={error} />
      {info ? (
        <>
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="font-medium">Instance id</dt>
            <dd className={ui.mono}>{info.instanceId}</dd>
            <dt className="font-medium">Role</dt>
            <dd>{info.pair ? `${info.pair.active ? 'active' : 'standby'} (elected)` : info.role}</dd>
            {info.pair?.activeHub && (
              <>
                <dt className="font-medium">Active hub</dt>
                <dd>
                  {info.pair.activeHub.name}, since <LocalTime ms={info.pair.activeHub.since} />
                </dd>
              </>
            )}
            <dt className="font-medium">Points</dt>
            <dd className="tabular-nums">{info.points}</dd>
          </dl>
          {info.pair ? (
            <p className={ui.help}>
              The hubs sharing this PostgreSQL database elect the active one among them; a standby stops polling the remotes marked
              shutdownWhenInactive and takes over when the active hub stops. Stop the active hub to hand over.
            </p>
          ) : (
            <>
              <p className={ui.help}>An inactive hub stops polling the remotes marked shutdownWhenInactive.</p>
              <div>
                <button type="button" className={ui.button} disabled={busy} onClick={() => void switchRole(next)}>
                  {next === 'active' ? 'Make active' : 'Make inactive'}
                </button>
              </div>
            </>
          )}
        </>
      ) : (
        !error && <p className="text-sm">Loading…</p>
      )}
    </section>
  );
}
