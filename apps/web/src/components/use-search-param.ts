/**
 * One search parameter as state that changes at once. The router applies URL changes in a
 * transition, so an input controlled by the URL alone bounces back to its old value until the
 * transition lands; this state takes the new value at once, writes the URL, and still follows the
 * URL when it changes from outside (back, forward, a shared link). URLs it wrote itself land late
 * and one by one while someone types: they are not taken back into the state, or they would undo
 * the keystrokes typed since.
 */
import { useState } from 'react';
import { useSearchParams } from 'react-router';

export function useSearchParam(name: string): [string | null, (value: string | null) => void] {
  const [params, setParams] = useSearchParams();
  const fromUrl = params.get(name);
  const [value, setValue] = useState(fromUrl);
  const [followed, setFollowed] = useState(fromUrl);
  // What this hook wrote to the URL and has not seen land yet.
  const [written, setWritten] = useState<(string | null)[]>([]);
  if (fromUrl !== followed) {
    setFollowed(fromUrl);
    // Ours land in the order they were written: the ones before it will not come any more.
    const ours = written.indexOf(fromUrl);
    if (ours === -1) {
      setValue(fromUrl);
      setWritten([]);
    } else setWritten(written.slice(ours + 1));
  }

  function change(next: string | null) {
    const normal = next || null;
    setValue(normal);
    setWritten((pending) => [...pending, normal]);
    setParams(
      (previous) => {
        const updated = new URLSearchParams(previous);
        if (normal) updated.set(name, normal);
        else updated.delete(name);
        return updated;
      },
      { replace: true },
    );
  }
  return [value, change];
}
