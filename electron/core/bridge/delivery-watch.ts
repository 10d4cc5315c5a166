/**
 * Delivery truth for a person's message. CCCC's answer to `send` only means "in the ledger";
 * whether an agent got it is in the `runtime.delivery` events the daemon appends afterwards
 * (`claimed`, then `accepted` / `failed` / `ambiguous`, per recipient — docs/cccc-contract.md §10). This watch
 * meets both paths: inbound says a message is in the ledger, outbound passes the ledger's
 * delivery events. The 🤔 goes on only once an agent accepted it; a failure, or silence for a
 * while (a paused or stopped group, an agent turned off), is told to the person plainly with what
 * to do. Agents turned off, and a stopped group, are told at once: CCCC no longer wakes them.
 *
 * A daemon without delivery evidence (CCCC 0.4.35rc1) keeps the old behaviour: the 🤔 as soon as
 * the message is in the ledger. In memory and bounded, like the ReplyTracker: after a restart a
 * message sent before it is simply not watched.
 */
import type { LedgerEvent } from '../cccc/ledger/event';
import { readObligationFact, type DeliveryState } from '../cccc/ledger/obligations';
import type { DaemonFeatures } from '../cccc/daemon/features';
import { toProblem } from '../errors';
import type { ConversationTexts } from '../i18n/conversation';
import { commandLink } from '../i18n/replies';
import { silentLogger, type Logger } from '../log/logger';
import { BoundedMap } from '../util/bounded';
import type { ChatAddress } from './chat-address';
import type { ActorInfo, GroupPort, SendToGroup } from './ports';
import type { ReplyTracker } from './reply-tracker';
import type { OutboundMessage } from '../dingtalk/outbound-message';

export interface DeliveryWatchOptions {
  features(): Promise<DaemonFeatures>;
  group: Pick<GroupPort, 'info' | 'actors'>;
  replies: Pick<ReplyTracker, 'inLedger' | 'accepted' | 'delivered'>;
  /** Queues the bridge's words to a chat; `mention` @-mentions the person in a group chat. */
  tell(chat: ChatAddress, message: OutboundMessage, mention?: string[]): void;
  texts(): ConversationTexts;
  /** How long a message may wait for an agent to accept it before the person is told. */
  pickupTimeoutMs?: number;
  logger?: Logger;
}

interface Watched {
  chat: ChatAddress;
  /** Its recipients, as sent. */
  to: readonly string[];
  /** Who sent it, to @-mention in a group chat. */
  mention: string[];
  /** The person heard why nobody will get it (or that it failed): no second notice. */
  told: boolean;
  timer: NodeJS.Timeout;
}

const MAX_WATCHED = 200;
/** Delivery evidence kept for messages not (yet) watched: the ledger may show it before `send` answers. */
const MAX_EARLY = 500;
const DEFAULT_PICKUP_TIMEOUT_MS = 2 * 60_000;

export class DeliveryWatch {
  private readonly log: Logger;
  private readonly watched = new BoundedMap<string, Watched>(MAX_WATCHED);
  private readonly early = new BoundedMap<string, { actorId: string; state: DeliveryState; reason?: string }[]>(MAX_EARLY);
  private closed = false;

  constructor(private readonly options: DeliveryWatchOptions) {
    this.log = (options.logger ?? silentLogger).child('delivery');
  }

  /** A person's message is in CCCC's ledger as event `eventId` (after `send` answered). */
  async inLedger(eventId: string, send: SendToGroup, chat: ChatAddress): Promise<void> {
    let evidence: boolean;
    try {
      evidence = (await this.options.features()).deliveryEvidence;
    } catch (err) {
      this.log.debug('Could not ask CCCC what it supports; showing the message as delivered', { code: toProblem(err).code });
      evidence = false;
    }
    if (!evidence || this.closed) {
      this.options.replies.delivered(eventId, send, chat);
      return;
    }
    this.options.replies.inLedger(eventId, send, chat);
    const timer = setTimeout(() => void this.timedOut(eventId), this.options.pickupTimeoutMs ?? DEFAULT_PICKUP_TIMEOUT_MS);
    timer.unref?.();
    const entry: Watched = { chat, to: send.to, mention: chat.conversationType === 'group' ? send.mentionUserIds : [], told: false, timer };
    this.watched.set(eventId, entry);
    for (const e of this.early.get(eventId) ?? []) this.apply(eventId, e.actorId, e.state, e.reason);
    this.early.delete(eventId);
    if (this.watched.has(eventId)) await this.tellWhoWillNotGetIt(eventId, entry, send.to);
  }

  /** Ledger events as they are followed: the delivery evidence among them. */
  observe(events: readonly LedgerEvent[]): void {
    for (const event of events) {
      const fact = readObligationFact(event);
      if (fact?.kind !== 'delivery') continue;
      if (this.watched.has(fact.sourceEventId)) this.apply(fact.sourceEventId, fact.actorId, fact.state, fact.reason);
      else this.early.set(fact.sourceEventId, [...(this.early.get(fact.sourceEventId) ?? []), fact]);
    }
  }

  close(): void {
    this.closed = true;
    for (const w of this.watched.values()) clearTimeout(w.timer);
    this.watched.clear();
    this.early.clear();
  }

  private apply(eventId: string, actorId: string, state: DeliveryState, reason: string | undefined): void {
    const w = this.watched.get(eventId);
    if (!w) return;
    const t = this.options.texts();
    if (state === 'accepted') {
      // One agent has it: the person sees the agents at work; later failures of others are still told.
      clearTimeout(w.timer);
      this.options.replies.accepted(eventId);
    } else if (state === 'failed') {
      this.say(w, t.deliveryFailed(actorId, reason ?? 'failed'));
    } else if (state === 'ambiguous') {
      this.say(w, t.deliveryUnsure(actorId));
    }
  }

  /** Right after the send: a stopped group or agents turned off will not pick it up — say so now. */
  private async tellWhoWillNotGetIt(eventId: string, w: Watched, to: readonly string[]): Promise<void> {
    let actors: ActorInfo[];
    let stopped: boolean;
    try {
      const [info, list] = await Promise.all([this.options.group.info(), this.options.group.actors()]);
      actors = list;
      stopped = info.state === 'stopped' || !info.running;
    } catch (err) {
      this.log.debug('Could not read the group to check who gets a message', { code: toProblem(err).code });
      return;
    }
    if (!this.watched.has(eventId) || w.told) return;
    const t = this.options.texts();
    if (stopped) {
      this.finish(eventId, w, t.groupStopped());
      return;
    }
    const addressed = addressedActors(to, actors);
    const off = addressed.filter((a) => !a.enabled);
    if (off.length === 0) return;
    const text = t.agentsOff(off.map((a) => a.id));
    // Someone else addressed may still get it: keep watching for them.
    if (off.length === addressed.length) this.finish(eventId, w, text);
    else this.tell(w, text);
  }

  /**
   * Nothing accepted the message in time: tell the person when the group says why (paused,
   * stopped, no agent it addresses running). Running agents may simply be slow — and the message
   * may have been accepted before a restart of the bridge, out of its sight — so then nothing.
   */
  private async timedOut(eventId: string): Promise<void> {
    const w = this.watched.get(eventId);
    if (!w || w.told) return;
    const t = this.options.texts();
    let text: string | undefined;
    try {
      const [info, actors] = await Promise.all([this.options.group.info(), this.options.group.actors()]);
      if (info.state === 'stopped' || !info.running) text = t.groupStopped();
      else if (info.state === 'paused') text = t.groupPaused();
      else if (!addressedActors(w.to, actors).some((a) => a.running))
        text = t.notPickedUp(Math.max(1, Math.round((this.options.pickupTimeoutMs ?? DEFAULT_PICKUP_TIMEOUT_MS) / 60_000)));
    } catch (err) {
      this.log.debug('Could not read the group to explain a message nobody picked up', { code: toProblem(err).code });
    }
    if (text && this.watched.get(eventId) === w) this.finish(eventId, w, text);
  }

  private say(w: Watched, text: string): void {
    w.told = true;
    this.tell(w, text);
  }

  private tell(w: Watched, text: string): void {
    this.options.tell(w.chat, markdownWithCommands(text), w.mention.length ? w.mention : undefined);
  }

  private finish(eventId: string, w: Watched, text: string): void {
    this.say(w, text);
    clearTimeout(w.timer);
    // Still watched, quietly: should an agent accept it later (after /launch), the 🤔 goes on.
  }
}

/** The actors a message's `to` reaches (CCCC's recipient tokens; `user` reaches none). */
export function addressedActors(to: readonly string[], actors: readonly ActorInfo[]): ActorInfo[] {
  const tokens = to.length === 0 ? ['@foreman'] : to;
  return actors.filter((a) =>
    tokens.some(
      (tok) =>
        tok === '@all' ||
        (tok === '@foreman' && a.role === 'foreman') ||
        (tok === '@peers' && a.role === 'peer') ||
        tok === a.id ||
        tok.toLowerCase() === a.title.toLowerCase(),
    ),
  );
}

const COMMANDS = /(^|[\s（(])\/(launch|status)(?=$|[\s，。,.)）])/g;

/** The bridge's notice as Markdown, its commands tappable. */
function markdownWithCommands(text: string): OutboundMessage {
  return {
    kind: 'markdown',
    title: text.slice(0, 30),
    text: text.replace(COMMANDS, (_m, pre: string, cmd: string) => `${pre}[/${cmd}](${commandLink(`/${cmd}`)})`),
  };
}
