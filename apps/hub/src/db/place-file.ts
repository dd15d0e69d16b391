import { existsSync, linkSync, renameSync } from 'node:fs';

/**
 * Gives a file written whole under a name of its own the name `path`, unless something has that
 * name: then leaves both as they are and answers false. A hard link, which fails on a name taken,
 * where a rename would replace it; on a file system without hard links, a rename if the name is
 * still free when looked at (a narrow window, not none). Once linked, or when refused, `draft` is
 * still there for the caller to remove; renamed, it is gone (removing it then is a no-op).
 */
export function placeWithoutReplacing(draft: string, path: string): boolean {
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // Said of hard links by file systems without them (FAT, some FUSE and network mounts).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    if (existsSync(path)) return false;
    renameSync(draft, path);
    return true;
  }
}
