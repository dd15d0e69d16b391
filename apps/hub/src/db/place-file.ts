import { existsSync, linkSync, renameSync } from 'node:fs';

/**
 * Gives a file written whole under a name of its own the name `path`, unless something has that
 * name: then leaves both as they are and answers false. A hard link, which fails on a name taken,
 * where a rename would replace it; on a file system without hard links, a rename if the name is
 * still free when looked at (a narrow window, not none). `draft` stays: the caller removes it.
 */
export function placeWithoutReplacing(draft: string, path: string): boolean {
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP') throw error;
    if (existsSync(path)) return false;
    renameSync(draft, path);
    return true;
  }
}
