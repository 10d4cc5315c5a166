/**
 * `api-usage.json` in the bridge's state folder: the DingTalk API calls counted per app (by a
 * fingerprint of its AppKey), per metering month, per API, and which budget notices each month
 * has had. Whoever writes it reads it afresh and adds its own calls (`addCalls`): a running bridge
 * and a `doctor` in another process then both keep what they counted. A damaged file is moved
 * aside like every state file (util/json-store.ts) and counting starts again from zero.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../log/logger';
import { JsonFileStore, type StateDamage } from '../../util/json-store';
import { monthsKept } from './month';

export const API_USAGE_FILE = 'api-usage.json';

const monthSchema = z.object({
  /** API name → calls. */
  calls: z.record(z.string(), z.number().int().nonnegative()),
  /** The furthest budget step announced this month: each is announced once a month. */
  noticed: z.enum(['lean', 'plain']).optional(),
});

const appSchema = z.object({ months: z.record(z.string().regex(/^\d{4}-\d{2}$/), monthSchema) });

const fileSchema = z.object({
  version: z.literal(1),
  /** The app counted last: what a stopped bridge's view shows. */
  app: z.string().optional(),
  apps: z.record(z.string(), appSchema),
});

export type UsageFile = z.infer<typeof fileSchema>;
export type AppUsage = z.infer<typeof appSchema>;
export type MonthUsage = z.infer<typeof monthSchema>;

const empty = (): UsageFile => ({ version: 1, apps: {} });

/** How an app is named in the file: not the AppKey itself (not a secret, but nothing to spread either). */
export function appFingerprint(appKey: string): string {
  return createHash('sha256').update(appKey).digest('hex').slice(0, 16);
}

export function usagePath(stateDir: string): string {
  return join(stateDir, API_USAGE_FILE);
}

/** A fresh view of the file on every call: a writer must see what others added since it last looked. */
export function usageStore(stateDir: string, log: Logger, onDamaged: (damage: StateDamage<UsageFile>) => void): JsonFileStore<typeof fileSchema> {
  return new JsonFileStore(usagePath(stateDir), fileSchema, empty, { log }, (damage) => {
    onDamaged(damage);
    return Promise.resolve(empty());
  });
}

/** What a stopped bridge counted for the app it ran last (read-only: a damaged file reads as empty). */
export async function readLastAppUsage(stateDir: string): Promise<AppUsage> {
  const doc = await new JsonFileStore(usagePath(stateDir), fileSchema, empty, { readOnly: true }).get();
  return (doc.app ? doc.apps[doc.app] : undefined) ?? { months: {} };
}

export interface CallsToAdd {
  /** Month → API → calls. */
  calls: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Month → the furthest budget step announced. */
  noticed: ReadonlyMap<string, 'lean' | 'plain'>;
}

/** Adds `add` to `app`'s counts in `doc`, drops months over a year old, and returns the app's counts. */
export function addCalls(doc: UsageFile, app: string, add: CallsToAdd, now: number): AppUsage {
  const mine = (doc.apps[app] ??= { months: {} });
  for (const [month, byApi] of add.calls) {
    const record = (mine.months[month] ??= { calls: {} });
    for (const [api, n] of byApi) record.calls[api] = (record.calls[api] ?? 0) + n;
  }
  for (const [month, step] of add.noticed) {
    const record = (mine.months[month] ??= { calls: {} });
    if (record.noticed !== 'plain') record.noticed = step;
  }
  const kept = monthsKept(now);
  for (const usage of Object.values(doc.apps)) {
    for (const month of Object.keys(usage.months)) if (!kept(month)) delete usage.months[month];
  }
  for (const [key, usage] of Object.entries(doc.apps)) if (key !== app && Object.keys(usage.months).length === 0) delete doc.apps[key];
  doc.app = app;
  return mine;
}
