/** The remote entries and the form that adds or changes one (one form open at a time). */
import type { RemoteView } from '@riohub/hub-api';
import { useState } from 'react';
import { useHub } from '../../store';
import { RemoteForm } from './RemoteForm';
import { RemoteList } from './RemoteList';
import { ui } from './ui';

export function RemotesSection() {
  const remotes = useHub((s) => s.remotes);
  // `{}`: a new entry; `{ remote }`: a change of that one; undefined: no form open.
  const [editing, setEditing] = useState<{ remote?: RemoteView }>();
  // The list is the socket's: whole on (re)connecting, then every entry added, changed or deleted.
  // A list read here as well could answer after a deletion the socket reported, and bring it back.

  // An entry deleted while its form is open leaves nothing to change.
  const editedGone = editing?.remote !== undefined && !remotes.some((remote) => remote.name === editing.remote?.name);

  return (
    <section aria-labelledby="settings-remotes" className={ui.section}>
      <div className="flex items-center justify-between gap-2">
        <h2 id="settings-remotes" className={ui.sectionHeading}>
          Remotes
        </h2>
        <button type="button" className={ui.primaryButton} onClick={() => setEditing({})}>
          Add remote
        </button>
      </div>
      {editing && !editedGone && <RemoteForm key={editing.remote?.name ?? ''} remote={editing.remote} onClose={() => setEditing(undefined)} />}
      <RemoteList remotes={remotes} onEdit={(remote) => setEditing({ remote })} />
    </section>
  );
}
