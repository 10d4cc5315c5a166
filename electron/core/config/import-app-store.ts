/**
 * The desktop app's bridges from before there was one configuration: their profiles were in the
 * app's own store (electron-store, key `profiles`) and their state under the app's data folder.
 * On the app's first start with config.json they are copied in once (store.ts `importOnce`), their
 * secrets stay in the app's vault (same bridge ids, `secret: keychain`), and each bridge's folder
 * is copied to the shared config folder. The old store and folders are left as they were, so an
 * older version of the app still finds its bridges (as they were at the upgrade).
 */
import { cp, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { BridgeError } from '../errors';
import { formatPath } from '../util/json-where';
import { appProfileV1Schema, fromAppProfileV1 } from './legacy';
import { bridgePaths } from './paths';
import type { ConfigStore, ImportResult } from './store';

/** How config.json's `imported` names the desktop app's store. */
export const DESKTOP_STORE = 'desktop-app-store';

export interface DesktopImport {
  config: ConfigStore;
  /** What the store holds under `profiles` (undefined: nothing). */
  profiles: unknown;
  /** The store's file, to name it when it is damaged. */
  storeFile: string;
  /** Where the app kept its bridges' folders (its user-data folder). */
  oldHome: string;
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

export async function importDesktopBridges(o: DesktopImport): Promise<ImportResult> {
  const newHome = o.config.configHome;
  return o.config.importOnce(
    DESKTOP_STORE,
    async () => {
      const parsed = z.array(appProfileV1Schema).safeParse(o.profiles ?? []);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new BridgeError({
          code: 'config.invalid',
          message: `${basename(o.storeFile)}: ${formatPath(['profiles', ...(issue?.path ?? [])])}: ${issue?.message ?? 'invalid'} — the bridges of an older version cannot be read`,
          hint: `Fix or move ${o.storeFile} away and start the app again (bridges in it are then set up afresh).`,
          retryable: false,
          details: { file: o.storeFile },
        });
      }
      return parsed.data.map((p) => fromAppProfileV1(p, 'keychain'));
    },
    async (added) => {
      if (resolve(o.oldHome) === resolve(newHome)) return;
      for (const id of added) {
        const from = bridgePaths(o.oldHome, id).dir;
        const to = bridgePaths(newHome, id).dir;
        if ((await isDir(from)) && !(await isDir(to))) await cp(from, to, { recursive: true, errorOnExist: true, force: false });
      }
    },
  );
}
