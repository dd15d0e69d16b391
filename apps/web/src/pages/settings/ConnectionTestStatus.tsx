/**
 * The outcome of "Test connection", in a live region so it is announced when it arrives: why it
 * failed in the hub's words (what to do), with the raw code on a details line.
 */
import type { ConnectionTest } from '@riohub/hub-api';
import { RemoteErrorText } from '../overview/remote-status';
import { ui } from './ui';

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

export function ConnectionTestStatus({ testing, test }: { testing: boolean; test: ConnectionTest | undefined }) {
  return (
    <div role="status" className="text-sm">
      {testing ? (
        <p>Testing the connection: a remote that refuses the password or this hub's address answers nothing for 10 s…</p>
      ) : (
        test && (
          <div
            className={`rounded border px-3 py-2 ${
              test.reachable && test.trusted && !test.error
                ? 'border-emerald-300 bg-emerald-50 dark:border-emerald-800 dark:bg-emerald-950'
                : 'border-amber-300 bg-amber-50 dark:border-amber-700 dark:bg-amber-950'
            }`}
          >
            <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-3 gap-y-0.5">
              <dt className="font-medium">Reachable</dt>
              <dd>{yesNo(test.reachable)}</dd>
              <dt className="font-medium">Trusted</dt>
              <dd>{yesNo(test.trusted)}</dd>
              {test.points !== undefined && (
                <>
                  <dt className="font-medium">Points</dt>
                  <dd>{test.points}</dd>
                </>
              )}
              {test.fingerprint && (
                <>
                  <dt className="font-medium">Fingerprint</dt>
                  <dd className={ui.mono}>{test.fingerprint}</dd>
                </>
              )}
              {test.error && (
                <>
                  <dt className="font-medium">Error</dt>
                  <dd className="min-w-0">
                    <RemoteErrorText error={test.error} />
                  </dd>
                </>
              )}
            </dl>
          </div>
        )
      )}
    </div>
  );
}
