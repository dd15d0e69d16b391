import { existsSync, linkSync, renameSync, rmSync } from 'node:fs';

/**
 * Gives a file written whole under a name of its own, `draft`, the name `path`, unless something
 * has that name: then leaves that as it is and answers false. A hard link, which fails on a name
 * taken, where a rename would replace it; on a file system without hard links, a rename if the
 * name is still free when looked at (a narrow window, not none). `draft` is gone afterwards,
 * whatever the outcome, a failure included.
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
  } finally {
    rmSync(draft, { force: true });
  }
}
