/**
 * The card-permission probe's answer, remembered per app for a day (`card-permissions.json` in
 * the app's state folder), so a bridge that restarts does not spend two metered calls each time
 * (docs/dingtalk-protocol.md §7, §12). An app serving several groups has one of these for all
 * of them, and groups starting together share one probe. The file is read once and written
 * through util/json-store.ts (one write at a time): a damaged file is moved aside like any state
 * file and the app is probed again; a file that cannot be written (disk full) leaves the answer
 * in memory only. Real card calls correct it early: a permission refusal records "missing" (with
 * the scopes it names), a card that went through after a "missing" records "ready" — so a
 * permission added in the console is noticed at once, and a refusal costs no new probe.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { CARD_SCOPES, type CardReadiness, type CardScope } from '../../dingtalk/card-api';
import { toProblem } from '../../errors';
import { silentLogger, type Logger } from '../../log/logger';
import { JsonFileStore } from '../../util/json-store';
import { dict, own } from '../../util/own';
import { appFingerprint } from '../api-usage/usage-file';

export const CARD_PERMISSIONS_FILE = 'card-permissions.json';

/** How long a probe's answer stands. */
export const CARD_PERMISSIONS_TTL_MS = 24 * 60 * 60_000;

export type KnownPermissions = { state: 'ready' } | { state: 'missing'; scopes: CardScope[] };

const scope = z.enum([CARD_SCOPES.instance, CARD_SCOPES.streaming]);
const answerSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('ready'), at: z.number() }),
  z.object({ state: z.literal('missing'), scopes: z.array(scope), at: z.number() }),
]);
/** Apps by their AppKey's fingerprint, as api-usage.json names them. */
const fileSchema = z.object({ apps: z.record(z.string(), answerSchema).transform(dict) });
type Answer = z.infer<typeof answerSchema>;

export class CardPermissions {
  private answer: Answer | undefined;
  private probing: Promise<KnownPermissions | undefined> | undefined;
  private loaded: Promise<void> | undefined;
  private readonly store: JsonFileStore<typeof fileSchema>;
  private readonly app: string;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(stateDir: string, appKey: string, options: { now?: () => number; logger?: Logger } = {}) {
    this.log = (options.logger ?? silentLogger).child('cards');
    this.store = new JsonFileStore(join(stateDir, CARD_PERMISSIONS_FILE), fileSchema, () => ({ apps: dict<Answer>() }), { log: this.log });
    this.app = appFingerprint(appKey);
    this.now = options.now ?? Date.now;
  }

  /** The answer of the last day, if any. */
  async known(): Promise<KnownPermissions | undefined> {
    await (this.loaded ??= this.load());
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
    const answer: Answer = { ...known, at: this.now() };
    this.answer = answer;
    try {
      await this.store.update((doc) => void (doc.apps[this.app] = answer));
    } catch (err) {
      this.log.warn('Could not remember the card permissions; keeping them in memory', { error: err });
    }
  }

  /**
   * DingTalk refused a card for want of `scopes`. After a "missing" answer that is one more fact,
   * kept (no new probe). After "ready" the answer was wrong and is dropped, so the next start
   * probes: a probe names every missing permission, a refusal only the one its call needed.
   */
  async refused(scopes: CardScope[]): Promise<void> {
    const known = await this.known();
    if (known?.state === 'missing') return this.remember({ state: 'missing', scopes: [...new Set([...known.scopes, ...scopes])] });
    this.answer = undefined;
    try {
      await this.store.update((doc) => void delete doc.apps[this.app]);
    } catch (err) {
      this.log.warn('Could not forget the card permissions; the next start trusts them until they expire', { error: err });
    }
  }

  /** The answer said "missing": a card that went through shows it is not any more. */
  async cardWentThrough(): Promise<void> {
    if ((await this.known())?.state === 'missing') await this.remember({ state: 'ready' });
  }

  /** The file's answer, read once (an answer remembered meanwhile is newer). */
  private async load(): Promise<void> {
    const stored = await this.store.get().then(
      (doc) => own(doc.apps, this.app),
      (err: unknown) => void this.log.info('The remembered card permissions are unreadable; probing again', { error: err }),
    );
    this.answer ??= stored;
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
}
