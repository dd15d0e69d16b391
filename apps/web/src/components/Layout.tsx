/** Every page's frame: navigation, who is signed in, and a banner while the hub is unreachable. */
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
