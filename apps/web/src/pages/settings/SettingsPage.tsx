/** Admin settings: remote entries, operators, this hub's own Remote I/O API, the MQTT bridge, and its role. */
import { HubRoleSection } from './HubRoleSection';
import { MqttSection } from './MqttSection';
import { RemotesSection } from './RemotesSection';
import { ServedApiSection } from './ServedApiSection';
import { UsersSection } from './UsersSection';

export function SettingsPage() {
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-lg font-semibold">Settings</h1>
      <RemotesSection />
      <UsersSection />
      <ServedApiSection />
      <MqttSection />
      <HubRoleSection />
    </div>
  );
}
