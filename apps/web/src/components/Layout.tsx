/** Every page's frame: navigation, who is signed in, a pair's standing, and banners while the hub is unreachable, its storage fails, or it stands by. */
import { roleAllows, type Role } from '@riohub/hub-api';
import { NavLink, Outlet } from 'react-router';
import { call } from '../api/http';
import { useHub } from '../store';
import { LocalTime } from './times';

/** Every page, and the role its link needs (the pages check it too). */
const LINKS: readonly (readonly [string, string, Role])[] = [
  ['/overview', 'Overview', 'viewer'],
  ['/datapoints', 'Datapoints', 'viewer'],
  ['/gui', 'GUI panels', 'viewer'],
  ['/loggers', 'Loggers', 'viewer'],
  ['/writes', 'Write log', 'viewer'],
  ['/audit', 'Audit', 'admin'],
  ['/settings', 'Settings', 'viewer'],
];

export function Layout() {
  const user = useHub((s) => s.user);
  const connected = useHub((s) => s.connected);
  const storage = useHub((s) => s.storage);
  const pair = useHub((s) => s.pair);

  async function signOut() {
    await call('signOut');
    useHub.getState().setUser(null);
  }

  return (
    <div className="min-h-screen">
      {/* On a phone the name and the account share the first line, and the navigation has the next ones. */}
      <header className="flex flex-wrap items-center gap-x-4 gap-y-1 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
        <span className="font-semibold">riohub</span>
        <nav aria-label="Main" className="flex flex-wrap gap-1 max-sm:order-last max-sm:basis-full">
          {LINKS.filter(([, , role]) => user && roleAllows(user.role, role)).map(([to, label]) => (
            <NavLink
              key={to}
              to={to}
              className={({ isActive }) =>
                `rounded px-2 py-1 text-sm ${isActive ? 'bg-slate-200 font-medium dark:bg-slate-800' : 'hover:bg-slate-100 dark:hover:bg-slate-900'}`
              }
            >
              {label}
            </NavLink>
          ))}
        </nav>
        {pair && (
          <span role="status" aria-label="Pair standing" className="rounded bg-slate-100 px-2 py-0.5 text-xs dark:bg-slate-800">
            {pair.active ? 'Active' : 'Standby'} since <LocalTime ms={pair.since} />
          </span>
        )}
        <span className="ml-auto min-w-0 text-sm wrap-anywhere text-slate-600 dark:text-slate-400">
          {user?.name} ({user?.role})
        </span>
        <button type="button" onClick={() => void signOut()} className="rounded border border-slate-300 px-2 py-1 text-sm dark:border-slate-700">
          Sign out
        </button>
      </header>
      {!connected && (
        <div role="alert" className="bg-amber-100 px-4 py-2 text-sm text-amber-900 dark:bg-amber-900 dark:text-amber-100">
          Not connected to the hub: reconnecting… Values shown may be out of date.
        </div>
      )}
      {pair && !pair.active && (
        <div role="status" aria-label="Standby hub" className="bg-sky-100 px-4 py-2 text-sm text-sky-900 dark:bg-sky-950 dark:text-sky-100">
          This hub is the standby of a pair:{' '}
          {pair.activeHub ? (
            <>
              the active hub is <strong>{pair.activeHub.name}</strong>, since <LocalTime ms={pair.activeHub.since} />.
            </>
          ) : (
            'no hub is active at the moment.'
          )}{' '}
          Values and history are shown here; writes and logger replication happen on the active hub, and this one takes over if it stops.
        </div>
      )}
      {!storage.ok && (
        <div role="alert" aria-label="Storage failing" className="bg-red-100 px-4 py-2 text-sm text-red-900 dark:bg-red-950 dark:text-red-100">
          Storage failing since <LocalTime ms={storage.since} />: {storage.error}. Live values are shown; writes and
          settings changes are refused until it is fixed.
        </div>
      )}
      <main className="p-4">
        <Outlet />
      </main>
    </div>
  );
}
