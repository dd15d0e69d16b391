/** Routes, the session check, and the socket's lifetime (open while someone is signed in). */
import { useEffect } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { call } from './api/http';
import { Layout } from './components/Layout';
import { socketClient } from './live/socket-client';
import { AuditPage } from './pages/audit/AuditPage';
import { DatapointsPage } from './pages/datapoints/DatapointsPage';
import { GuiPanelsPage } from './pages/gui/GuiPanelsPage';
import { LoggersPage } from './pages/loggers/LoggersPage';
import { OverviewPage } from './pages/overview/OverviewPage';
import { SettingsPage } from './pages/settings/SettingsPage';
import { SignInPage } from './pages/sign-in/SignInPage';
import { WriteLogPage } from './pages/write-log/WriteLogPage';
import { useHub } from './store';

export function App() {
  const user = useHub((s) => s.user);

  useEffect(() => {
    void call('session').then((result) => useHub.getState().setUser(result.ok ? result.data : null));
  }, []);

  // Open while someone is signed in: a role changed meanwhile (pushed by the hub) keeps it open.
  const signedIn = user ? user.name : user;
  useEffect(() => {
    if (!signedIn) return;
    socketClient.start();
    return () => socketClient.stop();
  }, [signedIn]);

  if (user === undefined) return <p className="p-6">Loading…</p>;
  if (user === null) return <SignInPage />;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Navigate to="/overview" replace />} />
        <Route path="overview" element={<OverviewPage />} />
        <Route path="datapoints" element={<DatapointsPage />} />
        <Route path="gui" element={<GuiPanelsPage />} />
        <Route path="loggers" element={<LoggersPage />} />
        <Route path="writes" element={<WriteLogPage />} />
        <Route path="audit" element={user.role === 'admin' ? <AuditPage /> : <p className="p-6">The audit is for admins.</p>} />
        <Route path="settings" element={user.role === 'admin' ? <SettingsPage /> : <p className="p-6">Settings are for admins.</p>} />
        <Route path="*" element={<Navigate to="/overview" replace />} />
      </Route>
    </Routes>
  );
}
