/**
 * One search parameter as state that changes at once. The router applies URL changes in a
 * transition, so an input controlled by the URL alone bounces back to its old value until the
 * transition lands; this state takes the new value at once, writes the URL, and still follows the
 * URL when it changes from outside (back, forward, a shared link).
 */
import { useState } from 'react';
import { useSearchParams } from 'react-router';

export function useSearchParam(name: string): [string | null, (value: string | null) => void] {
  const [params, setParams] = useSearchParams();
  const fromUrl = params.get(name);
  const [value, setValue] = useState(fromUrl);
  const [followed, setFollowed] = useState(fromUrl);
  if (fromUrl !== followed) {
    setFollowed(fromUrl);
    setValue(fromUrl);
  }

  function change(next: string | null) {
    setValue(next);
    setParams(
      (previous) => {
        const updated = new URLSearchParams(previous);
        if (next) updated.set(name, next);
        else updated.delete(name);
        return updated;
      },
      { replace: true },
    );
  }
  return [value, change];
}
