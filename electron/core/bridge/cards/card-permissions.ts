/**
 * The card-permission probe's answer, remembered per app for a day (`card-permissions.json` in
 * the app's state folder), so a bridge that restarts does not spend two metered calls each time
 * (docs/dingtalk-protocol.md §7, §12). An app serving several groups has one of these for all
 * of them, and groups starting together share one probe. A damaged file is ignored (the app is probed again); a
 * file that cannot be written (disk full) leaves the answer in memory only. Real card calls
 * correct it early: a permission refusal forgets a "ready", a card that went through after a
 * "missing" records "ready" — so a permission added in the console is noticed at once.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CARD_SCOPES, type CardReadiness, type CardScope } from '../../dingtalk/card-api';
import { toProblem } from '../../errors';
import { silentLogger, type Logger } from '../../log/logger';
import { atomicWriteFile } from '../../util/atomic-write';

export const CARD_PERMISSIONS_FILE = 'card-permissions.json';

/** How long a probe's answer stands. */
export const CARD_PERMISSIONS_TTL_MS = 24 * 60 * 60_000;

export type KnownPermissions = { state: 'ready' } | { state: 'missing'; scopes: CardScope[] };

const scope = z.enum([CARD_SCOPES.instance, CARD_SCOPES.streaming]);
const answerSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('ready'), at: z.number() }),
  z.object({ state: z.literal('missing'), scopes: z.array(scope), at: z.number() }),
]);
const fileSchema = z.object({ apps: z.record(z.string(), answerSchema) });
type Answer = z.infer<typeof answerSchema>;

/** Not the AppKey itself: the file names the app by a fingerprint, as api-usage.json does. */
function appId(appKey: string): string {
  return createHash('sha256').update(appKey).digest('hex').slice(0, 16);
}

export class CardPermissions {
  private answer: Answer | undefined;
  private probing: Promise<KnownPermissions | undefined> | undefined;
  private readonly path: string;
  private readonly app: string;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(stateDir: string, appKey: string, options: { now?: () => number; logger?: Logger } = {}) {
    this.path = join(stateDir, CARD_PERMISSIONS_FILE);
    this.app = appId(appKey);
    this.now = options.now ?? Date.now;
    this.log = (options.logger ?? silentLogger).child('cards');
  }

  /** The answer of the last day, if any (read from disk once). */
  async known(): Promise<KnownPermissions | undefined> {
    if (!this.answer) {
      const stored = (await this.read())?.apps[this.app];
      // An answer remembered while the file was read is newer than the file.
      this.answer ??= stored;
    }
    const answer = this.answer;
    if (!answer || this.now() - answer.at >= CARD_PERMISSIONS_TTL_MS || answer.at > this.now()) return undefined;
    return answer.state === 'ready' ? { state: 'ready' } : { state: 'missing', scopes: answer.scopes };
  }

  /**
   * The day's answer; without one, `probe` asks DingTalk — once for every caller meanwhile — and
   * its answer is remembered. Undefined when DingTalk could not say (network, credentials).
   */
  async readiness(probe: () => Promise<CardReadiness>): Promise<KnownPermissions | undefined> {
    const known = await this.known();
    if (known) return known;
    this.probing ??= this.probeAndRemember(probe).finally(() => (this.probing = undefined));
    return this.probing;
  }

  /** Remembers an answer (of the probe, or of a real card call). */
  async remember(known: KnownPermissions): Promise<void> {
    this.answer = { ...known, at: this.now() };
    await this.write();
  }

  /** A real call contradicted the answer: the next start probes again. */
  async forget(): Promise<void> {
    this.answer = { state: 'ready', at: 0 };
    await this.write();
  }

  /** The answer said "missing": a card that went through shows it is not any more. */
  async cardWentThrough(): Promise<void> {
    if ((await this.known())?.state === 'missing') await this.remember({ state: 'ready' });
  }

  private async probeAndRemember(probe: () => Promise<CardReadiness>): Promise<KnownPermissions | undefined> {
    let readiness: CardReadiness;
    try {
      readiness = await probe();
    } catch (err) {
      this.log.debug('Card permissions not probed', { code: toProblem(err).code });
      return undefined;
    }
    if (readiness.state === 'unknown') return undefined;
    const known: KnownPermissions = readiness.state === 'ready' ? { state: 'ready' } : { state: 'missing', scopes: readiness.scopes };
    await this.remember(known);
    return known;
  }

  private async read(): Promise<z.infer<typeof fileSchema> | undefined> {
    try {
      const parsed = fileSchema.safeParse(JSON.parse(await readFile(this.path, 'utf8')));
      if (parsed.success) return parsed.data;
      this.log.info('The remembered card permissions are damaged; probing again');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.info('The remembered card permissions are unreadable; probing again');
    }
    return undefined;
  }

  private async write(): Promise<void> {
    try {
      const doc = (await this.read()) ?? { apps: {} };
      if (this.answer) doc.apps[this.app] = this.answer;
      await atomicWriteFile(this.path, `${JSON.stringify(doc, null, 2)}\n`);
    } catch (err) {
      this.log.warn('Could not remember the card permissions; keeping them in memory', { error: err });
    }
  }
}
