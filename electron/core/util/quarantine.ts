/**
 * A damaged state file is moved aside, never overwritten: `<file>.corrupt-<timestamp>` keeps
 * the bytes for a person (or a later version of the bridge) to look at, and the log names it.
 */
import { rename, stat } from 'node:fs/promises';
import type { Logger } from '../log/logger';

export interface Quarantined {
  /** Where the damaged file now is. */
  aside: string;
  /** The damaged file's last modification: when it was last written whole. */
  modifiedAt: number;
}

export async function quarantine(path: string, why: string, log: Logger): Promise<Quarantined> {
  const modifiedAt = (await stat(path)).mtimeMs;
  const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, aside);
  log.warn(`State file ${why}; moved aside`, { path, aside });
  return { aside, modifiedAt };
}
