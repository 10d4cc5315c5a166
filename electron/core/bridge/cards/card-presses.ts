/**
 * What a press of a card's button does (docs/dingtalk-protocol.md, "Cards with buttons"). The
 * Stream client has ACKed the press already; here, one press at a time, it is checked — the card
 * is ours (in the registry), the button still valid (the card's version, the request not yet
 * settled), the person may press it (approvers for a /subscribe card, the chat's access policy
 * for /status) — then done the way the app or the typed command does it, the card redrawn with
 * what happened, and the press audited (who, what, result). A press that is refused or comes
 * twice changes nothing but the card's note.
 */
import type { CardPress } from '../../dingtalk/card-callback';
import { toProblem } from '../../errors';
import { BUTTON_CARD_TEXTS } from '../../i18n/button-cards';
import type { ReplyLanguage } from '../../i18n/replies';
import type { AuditEntry } from '../../log/audit';
import { CARD_PRESS } from '../../log/audit-line';
import { silentLogger, type Logger } from '../../log/logger';
import { checkAccess, type AccessPolicy } from '../access';
import type { ChatControls } from '../chat-controls';
import type { ChatDirectory } from '../chat-directory';
import type { ImStatePort } from '../ports';
import type { ButtonCards } from './button-cards';
import type { CardEntry, CardRegistry } from './card-registry';
import type { ButtonCardView } from './button-card';
import { STATUS_ACTIONS, statusCard, SUBSCRIBE_ACTIONS, subscribeCard, type StatusAction } from './command-cards';

export interface CardPressesDeps {
  registry: CardRegistry;
  cards: Pick<ButtonCards, 'update'>;
  controls: ChatControls;
  im: Pick<ImStatePort, 'isAuthorized'>;
  chats: Pick<ChatDirectory, 'chat' | 'people'>;
  groupId: string;
  settings(): { lang: ReplyLanguage; access: AccessPolicy; approvers: readonly string[] };
  /** The app's approve and reject (Bridge.approve / Bridge.reject): CCCC's IM state, and the chat told. */
  approve(key: string): Promise<unknown>;
  reject(key: string): Promise<unknown>;
  audit?(entry: AuditEntry): void;
  logger?: Logger;
  now?: () => number;
}

/** What became of a press, for the audit trail. */
type Outcome = { done: true } | { refused: string; reason?: string } | { failed: string };

/** Who pressed, as the people who wrote to the robot name them. */
interface Presser {
  staffId: string;
  nick: string;
  isAdmin: boolean;
}

export class CardPresses {
  private readonly log: Logger;
  private readonly now: () => number;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: CardPressesDeps) {
    this.log = (deps.logger ?? silentLogger).child('cards');
    this.now = deps.now ?? Date.now;
  }

  /** Whether the card is in the registry (one of this bridge's cards). */
  async knows(outTrackId: string): Promise<boolean> {
    return (await this.deps.registry.get(outTrackId)) !== undefined;
  }

  /** Handles a press after the ones before it; never rejects. */
  handle(press: CardPress): Promise<void> {
    const run = this.queue.then(() => this.one(press));
    this.queue = run.catch(() => undefined);
    return this.queue;
  }

  private async one(press: CardPress): Promise<void> {
    const action = press.params['action'] ?? press.actionIds[0] ?? '';
    const entry = await this.deps.registry.get(press.outTrackId);
    if (!entry) {
      // Not ours, or its record was lost: say so on the card (DingTalk refuses if it is not ours).
      this.log.info('A button was pressed on a card this bridge does not know', { card: press.outTrackId, sender: press.staffId, action });
      const t = BUTTON_CARD_TEXTS[this.deps.settings().lang];
      await this.deps.cards.update(press.outTrackId, { title: '', markdown: t.expired(), buttons: [] }, this.now());
      return;
    }
    const who = await this.presser(press.staffId);
    let outcome: Outcome;
    try {
      if (entry.kind === 'subscribe') outcome = await this.subscribe(press.outTrackId, entry, action, who);
      else if (entry.kind === 'status') outcome = await this.status(press, entry, action, who);
      else outcome = { refused: 'no_action', reason: 'this card has no buttons that call back' };
    } catch (err) {
      const problem = toProblem(err);
      this.log.warn('A card button press failed', { card: press.outTrackId, action, code: problem.code, message: problem.message });
      outcome = { failed: problem.code };
    }
    this.deps.audit?.({
      direction: 'in',
      chatId: entry.chat.conversationId,
      chatType: entry.chat.conversationType,
      kind: `${CARD_PRESS}${action || 'press'}`,
      sender: { id: who.staffId, nick: who.nick },
      ref: press.outTrackId,
      ...('done' in outcome
        ? { result: { ok: true } }
        : 'failed' in outcome
          ? { result: { ok: false, code: outcome.failed } }
          : { refusal: { code: outcome.refused, ...(outcome.reason ? { reason: outcome.reason } : {}) } }),
    });
  }

  private async subscribe(outTrackId: string, entry: CardEntry, action: string, who: Presser): Promise<Outcome> {
    const { lang, approvers } = this.deps.settings();
    const t = BUTTON_CARD_TEXTS[lang];
    const key = entry.key ?? '';
    const redraw = (note: string, version: number): Promise<void> =>
      this.deps.cards.update(outTrackId, subscribeCard(lang, key, this.deps.groupId, true, note).view, version);
    const open = (): ButtonCardView => subscribeCard(lang, key, this.deps.groupId, true).view;
    if (!isOneOf(SUBSCRIBE_ACTIONS, action)) return { refused: 'unknown_action', reason: action };
    if (entry.settled) {
      await redraw(t.alreadySettled(entry.settled.approved, entry.settled.by), entry.version);
      return { refused: 'already_done', reason: entry.settled.approved ? 'approved' : 'rejected' };
    }
    if (!approvers.includes(who.staffId)) {
      // The buttons stay: an approver may still press them.
      await this.note(outTrackId, entry, t.notApprover(who.nick), open());
      return { refused: 'not_approver' };
    }
    const approved = action === 'approve';
    try {
      await (approved ? this.deps.approve(key) : this.deps.reject(key));
    } catch (err) {
      // Approved meanwhile in the app, the CLI or CCCC's Web UI: the request is gone, the chat authorized.
      if (approved && (await this.deps.im.isAuthorized(entry.chat.conversationId).catch(() => false))) {
        const settled = await this.settle(outTrackId, true, 'CCCC');
        await redraw(t.alreadySettled(true, 'CCCC'), settled);
        return { refused: 'already_done', reason: 'approved elsewhere' };
      }
      const problem = toProblem(err);
      await this.note(outTrackId, entry, t.actionFailed(problem.message), open());
      return { failed: problem.code };
    }
    const version = await this.settle(outTrackId, approved, who.nick);
    await redraw(approved ? t.approvedBy(who.nick) : t.rejectedBy(who.nick), version);
    return { done: true };
  }

  private async status(press: CardPress, entry: CardEntry, action: string, who: Presser): Promise<Outcome> {
    const { lang, access } = this.deps.settings();
    const t = BUTTON_CARD_TEXTS[lang];
    const chatId = entry.chat.conversationId;
    const { controls } = this.deps;
    if (!isOneOf(STATUS_ACTIONS, action)) return { refused: 'unknown_action', reason: action };
    const policy = (await this.deps.chats.chat(chatId))?.access ?? access;
    const allowed = checkAccess(policy, { staffId: who.staffId, isAdmin: who.isAdmin });
    const redraw = async (note: string): Promise<void> => {
      const next = await this.deps.registry.change(press.outTrackId, (e) => ({ ...e, version: e.version + 1 }));
      await this.deps.cards.update(press.outTrackId, statusCard(lang, await controls.status(chatId), note).view, next?.version ?? entry.version + 1);
    };
    if (!allowed.allowed) {
      await redraw(t.notAllowed(who.nick));
      return { refused: 'access_policy', reason: allowed.policy };
    }
    if (!(await this.deps.im.isAuthorized(chatId))) {
      await redraw(t.notSubscribed());
      return { refused: 'unauthorized_chat' };
    }
    const pressedOn = Number(press.params['version']);
    if (action !== 'refresh' && Number.isFinite(pressedOn) && pressedOn < entry.version) {
      await redraw(t.stale(who.nick));
      return { refused: 'stale_card', reason: `version ${pressedOn} < ${entry.version}` };
    }
    await redraw(await this.act(action, chatId, who.nick));
    return { done: true };
  }

  /** Does what the typed command does; resolves with the card's note. */
  private async act(action: StatusAction, chatId: string, nick: string): Promise<string> {
    const t = BUTTON_CARD_TEXTS[this.deps.settings().lang];
    const { controls } = this.deps;
    switch (action) {
      case 'pause':
        return (await controls.pause(chatId)) ? t.pausedBy(nick) : t.alreadyPaused(nick);
      case 'resume': {
        let held = 0;
        await controls.resume(chatId, (n) => Promise.resolve(void (held = n)));
        return t.resumedBy(nick, held);
      }
      case 'verbose_on':
      case 'verbose_off':
        return t.verboseBy(nick, await controls.verbose(chatId, action === 'verbose_on' ? 'on' : 'off'));
      case 'refresh':
        return t.refreshedBy(nick);
    }
  }

  /** Marks a /subscribe card settled; resolves with its new version. */
  private async settle(outTrackId: string, approved: boolean, by: string): Promise<number> {
    const next = await this.deps.registry.change(outTrackId, (e) => ({ ...e, version: e.version + 1, settled: { approved, by, at: this.now() } }));
    return next?.version ?? 0;
  }

  /** Shows a note on the card without changing what it offers. */
  private async note(outTrackId: string, entry: CardEntry, note: string, view: ButtonCardView): Promise<void> {
    await this.deps.cards.update(outTrackId, { ...view, note }, entry.version);
  }

  private async presser(staffId: string): Promise<Presser> {
    const person = (await this.deps.chats.people().catch(() => [])).find((p) => p.staffId === staffId);
    return { staffId, nick: person?.nick ?? staffId, isAdmin: person?.isAdmin ?? false };
  }
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
