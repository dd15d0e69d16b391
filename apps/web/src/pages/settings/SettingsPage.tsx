/** Admin settings: remote entries, operators, and this hub's role. */
import { HubRoleSection } from './HubRoleSection';
import { RemotesSection } from './RemotesSection';
import { UsersSection } from './UsersSection';

export function SettingsPage() {
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-lg font-semibold">Settings</h1>
      <RemotesSection />
      <UsersSection />
      <HubRoleSection />
    </div>
  );
}
