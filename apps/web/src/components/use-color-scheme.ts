/** The system's colour scheme, kept current: for drawings (canvas) that Tailwind's `dark:` cannot reach. */
import { useSyncExternalStore } from 'react';

const query = () => window.matchMedia('(prefers-color-scheme: dark)');

function subscribe(onChange: () => void): () => void {
  const media = query();
  media.addEventListener('change', onChange);
  return () => media.removeEventListener('change', onChange);
}

export function useColorScheme(): 'dark' | 'light' {
  return useSyncExternalStore(subscribe, () => (query().matches ? 'dark' : 'light'));
}
