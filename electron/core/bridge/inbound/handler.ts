/**
 * Inbound: a DingTalk message → authorization, access policy, command → CCCC. Every reply goes
 * back through the outbox (ordered, rate-limited, retried). Nothing here throws to the caller
 * but a full disk: then the message must stay pending and be handled again once there is room
 * (the reply could not be queued either). Any other failure becomes a reply the person can act
 * on, and a log line.
 */
import type { Readable } from 'node:stream';
import type { InboundMessage, Quote } from '../../dingtalk/inbound-message';
import type { OutboundMessage } from '../../dingtalk/outbound-message';
import { toProblem } from '../../errors';
import { isDiskFull } from '../../util/local-failure';
import type { AuditEntry } from '../../log/audit';
import { silentLogger, type Logger } from '../../log/logger';
import { checkAccess, type AccessPolicy } from '../access';
import type { ChatDirectory } from '../chat-directory';
import { chatAddressOf, type ChatAddress } from '../chat-address';
import { isOnlyMention, parseCommand, type Command } from '../commands';
import { ChatControls } from '../chat-controls';
import type { CardPurpose } from '../cards/button-cards';
import { helpCard, statusCard, subscribeCard, type CommandCard } from '../cards/command-cards';
import type { ActorInfo, Attachment, GroupContextSummary, GroupPort, ImStatePort, BlobPort, PendingRequest, SendToGroup } from '../ports';
import { REPLIES, type ReplyLanguage, type Replies } from '../../i18n/replies';
import { captionFor, contentOf, type IncomingFile } from './content';
import { resolveRecipients } from './recipients';
import { ChatThrottle, DEFAULT_HINT_LIMITS, DEFAULT_SUBSCRIBE_LIMITS, type ChatLimits } from './chat-throttle';

export interface InboundSettings {
  lang: ReplyLanguage;
  access: AccessPolicy;
  maxFileBytes: number;
  /** Who may approve a /subscribe from its card (staff ids); default none. */
  approvers?: readonly string[];
  /** The robot serves several CCCC groups (app-bridge.ts): /help lists /groups. */
  severalGroups?: boolean;
}

export interface InboundDeps {
  group: GroupPort;
  im: ImStatePort;
  blobs: BlobPort;
  chats: ChatDirectory;
  settings(): InboundSettings;
  /** Fetches a file the person sent (size-capped). */
  download(file: IncomingFile, robotCode: string | undefined, maxBytes: number): Promise<Readable>;
  /** Queues a reply to the chat; `mention` @-mentions people in group chats. */
  reply(chat: ChatAddress, message: OutboundMessage, mention?: string[]): Promise<void>;
  /**
   * Answers /subscribe, /status or /help with a card that has buttons, or with the card's plain
   * reply where cards cannot go (cards/button-cards.ts). Default: the plain reply.
   */
  show?(chat: ChatAddress, purpose: CardPurpose, card: CommandCard, mention?: string[]): Promise<void>;
  /**
   * Hands a message to CCCC durably (retried while the daemon is down, idempotent by client id).
   * `recipients`: `/send @…` names not yet checked (CCCC was down); they are resolved into `to`
   * when CCCC is back.
   */
  deliver(send: SendToGroup, chat: ChatAddress, recipients?: string[]): Promise<void>;
  /** How many messages are held for a paused chat. */
  heldCount(chatId: string): Promise<number>;
  /** Catch-up after /resume: queues what was held back while paused. */
  releaseHeld(chatId: string): Promise<void>;
  onPending?(request: PendingRequest, who: { chatTitle?: string; senderNick: string }): void;
  /** The agent's question a person's plain message in a chat answers, if any (bridge/reply-requests.ts). */
  answerTo?(chatId: string, text: string, quote?: Quote): Promise<{ replyTo: string; to: string; text: string } | undefined>;
  /** The questions still waiting for an answer in a chat, as a /context section ('' when none). */
  openRequests?(chatId: string): Promise<string>;
  /** How often unauthorized chats may ask to subscribe; default DEFAULT_SUBSCRIBE_LIMITS. */
  subscribeLimits?: ChatLimits;
  /** How often a chat that is not subscribed is told how to; default DEFAULT_HINT_LIMITS. */
  hintLimits?: ChatLimits;
  audit?(entry: AuditEntry): void;
  logger?: Logger;
}

const CONTEXT_MAX_CHARS = 3_000;

function formatContext(ctx: GroupContextSummary, t: Replies): string {
  if (!ctx.objective && !ctx.focus && ctx.tasks.length === 0) return t.contextEmpty();
  const L = t.contextLabels;
  const lines: string[] = [];
  if (ctx.objective) lines.push(`**${L.objective}**: ${ctx.objective}`);
  if (ctx.focus) lines.push(`**${L.focus}**: ${ctx.focus}`);
  if (ctx.tasks.length) {
    lines.push('', `**${L.tasks}**`);
    for (const task of ctx.tasks.slice(0, 20))
      lines.push(`- ${task.title}${task.status ? ` · ${t.taskStatus(task.status)}` : ''}${task.assignee ? ` · @${task.assignee}` : ''}`);
  }
  if (ctx.waitingOnUser.length) lines.push('', `**${L.waiting}**`, ...ctx.waitingOnUser.map((w) => `- ${w}`));
  return lines.join('\n').slice(0, CONTEXT_MAX_CHARS);
}

export class InboundHandler {
  private readonly log: Logger;
  private readonly subscribeThrottle: ChatThrottle;
  private readonly hintThrottle: ChatThrottle;
  private readonly controls: ChatControls;

  constructor(private readonly deps: InboundDeps) {
    this.log = (deps.logger ?? silentLogger).child('inbound');
    this.controls = new ChatControls(deps);
    this.subscribeThrottle = new ChatThrottle(deps.subscribeLimits ?? DEFAULT_SUBSCRIBE_LIMITS);
    this.hintThrottle = new ChatThrottle(deps.hintLimits ?? DEFAULT_HINT_LIMITS);
  }

  /** Handles one message; rejects only when the disk is full (the message must then stay pending). */
  async handle(m: InboundMessage): Promise<void> {
    const chat = chatAddressOf(m);
    const settings = this.deps.settings();
    const t = REPLIES[settings.lang];
    const mention = m.conversationType === 'group' && m.sender.staffId ? [m.sender.staffId] : undefined;
    const say = (text: string): Promise<void> => this.deps.reply(chat, { kind: 'text', content: text }, mention);
    const sayMarkdown = (title: string, text: string): Promise<void> => this.deps.reply(chat, { kind: 'markdown', title, text }, mention);
    try {
      await this.deps.chats.saw({
        conversationId: m.conversationId,
        conversationType: m.conversationType,
        ...(m.conversationTitle ? { title: m.conversationTitle } : {}),
        sender: { nick: m.sender.nick, isAdmin: m.sender.isAdmin, ...(m.sender.staffId ? { staffId: m.sender.staffId } : {}) },
        at: m.createAt,
      });
      const content = contentOf(m);
      const command: Command =
        content.files.length > 0 && content.text.trim() === ''
          ? { name: 'send', recipients: [], text: '', explicit: false }
          : // Only the robot's @ (DingTalk removes it from text, rich text may keep it): the person wants to know what to do.
            content.files.length === 0 && !content.unsupported && isOnlyMention(content.text)
            ? { name: 'help' }
            : parseCommand(content.text);
      const record = (kind: string, refusal?: AuditEntry['refusal']): void =>
        this.deps.audit?.({
          direction: 'in',
          chatId: m.conversationId,
          chatType: m.conversationType,
          kind,
          sender: { id: m.sender.staffId ?? m.sender.id, nick: m.sender.nick },
          chars: content.text.length,
          ref: m.msgId,
          content: content.text,
          ...(refusal ? { refusal } : {}),
        });

      const authorized = await this.deps.im.isAuthorized(m.conversationId);
      if (!authorized && command.name !== 'subscribe') {
        // CCCC's rule: nothing but /subscribe is taken from an unauthorized chat. Unlike CCCC's bridge,
        // the chat is told how to subscribe rather than met with silence (within limits: anyone can write here).
        record(command.name, { code: 'unauthorized_chat', reason: 'chat not authorized; only /subscribe is taken' });
        await this.tellHowToSubscribe(chat, t, false, mention);
        return;
      }
      if (command.name !== 'help') {
        const chatPolicy = (await this.deps.chats.chat(m.conversationId))?.access ?? settings.access;
        const access = checkAccess(chatPolicy, { isAdmin: m.sender.isAdmin, ...(m.sender.staffId ? { staffId: m.sender.staffId } : {}) });
        if (!access.allowed) {
          record(command.name, { code: 'access_policy', reason: access.policy });
          await say(t.accessDenied(access.policy, m.sender.staffId));
          return;
        }
      }
      record(content.files.length ? `${command.name}+files` : command.name);
      if (content.unsupported) {
        await say(t.unsupportedType(content.unsupported));
        return;
      }
      await this.run(command, m, chat, content.files, { t, settings, mention, say, sayMarkdown });
    } catch (err) {
      if (isDiskFull(err)) throw err;
      const problem = toProblem(err);
      this.log.error('Could not handle a message', { code: problem.code, message: problem.message, chat: m.conversationId });
      await say(t.error(problem.hint ? `${problem.message} — ${problem.hint}` : problem.message)).catch(() => undefined);
    }
  }

  private async run(
    command: Command,
    m: InboundMessage,
    chat: ChatAddress,
    files: IncomingFile[],
    io: {
      t: Replies;
      settings: InboundSettings;
      mention: string[] | undefined;
      say(text: string): Promise<void>;
      sayMarkdown(title: string, text: string): Promise<void>;
    },
  ): Promise<void> {
    const { t, settings, mention, say, sayMarkdown } = io;
    const { group, im } = this.deps;
    const chatId = m.conversationId;
    const show = (purpose: CardPurpose, card: CommandCard): Promise<void> =>
      this.deps.show ? this.deps.show(chat, purpose, card, mention) : this.deps.reply(chat, card.fallback, mention);
    switch (command.name) {
      case 'subscribe': {
        if (await im.isAuthorized(chatId)) {
          const flags = await im.subscriber(chatId);
          if (flags?.subscribed) return say(t.alreadySubscribed());
          await im.updateSubscriber(chatId, { subscribed: true, ...(m.conversationTitle ? { chatTitle: m.conversationTitle } : {}) });
          return say(t.resubscribed());
        }
        const verdict = this.subscribeThrottle.take(chatId);
        if (!verdict.allowed) {
          this.log.warn('Subscription requests over the limit; not creating another', { chat: chatId, retryInMs: verdict.retryInMs });
          return verdict.tell ? say(t.subscribeThrottled(Math.max(1, Math.ceil(verdict.retryInMs / 60_000)))) : undefined;
        }
        const request = await im.createPendingKey(chatId);
        // The chat's open request again: same key, and the admins were told already.
        if (!request.reused) this.deps.onPending?.(request, { senderNick: m.sender.nick, ...(m.conversationTitle ? { chatTitle: m.conversationTitle } : {}) });
        return show({ kind: 'subscribe', key: request.key }, subscribeCard(settings.lang, request.key, group.groupId, (settings.approvers ?? []).length > 0));
      }
      case 'unsubscribe':
        await group.revoke(chatId);
        return say(t.unsubscribed());
      case 'status':
        return show({ kind: 'status' }, statusCard(settings.lang, await this.controls.status(chatId)));
      case 'context': {
        const [context, open] = await Promise.all([group.context(), this.deps.openRequests?.(chatId) ?? '']);
        return sayMarkdown(t.titles.context, [formatContext(context, t), open].filter(Boolean).join('\n\n'));
      }
      case 'pause':
        return say((await this.controls.pause(chatId)) ? t.paused() : t.alreadyPaused());
      case 'resume':
        return this.controls.resume(chatId, (held) => say(t.resumed(held)));
      case 'verbose':
        return say(t.verbose(await this.controls.verbose(chatId, command.mode)));
      case 'launch':
        return say(t.launched(await group.start()));
      case 'quit':
        return say(t.quit(await group.stop()));
      case 'help':
        return show({ kind: 'help' }, helpCard(settings.lang, settings.severalGroups ?? false));
      case 'unknown':
        return say(t.unknownCommand(command.word));
      case 'send':
        return this.send(command.recipients, command.text, m, chat, files, io);
    }
  }

  private async send(
    recipients: string[],
    text: string,
    m: InboundMessage,
    chat: ChatAddress,
    files: IncomingFile[],
    io: { t: Replies; settings: InboundSettings; mention: string[] | undefined; say(text: string): Promise<void> },
  ): Promise<void> {
    const { t, settings, mention, say } = io;
    let to = ['@foreman'];
    let unresolved: string[] | undefined;
    if (recipients.length > 0) {
      const actors = await this.actorsIfReachable();
      if (actors) {
        const resolved = resolveRecipients(recipients, actors);
        if (!resolved.ok) return say(t.noAgent(resolved.unknown, resolved.known));
        to = resolved.to;
      } else {
        // Like plain text, it waits for CCCC; the recipients are checked when CCCC is back.
        to = [];
        unresolved = recipients;
      }
    }
    const attachments: Attachment[] = [];
    for (const file of files) {
      try {
        const body = await this.deps.download(file, m.robotCode, settings.maxFileBytes);
        attachments.push(
          await this.deps.blobs.store(body, {
            fileName: file.fileName,
            maxBytes: settings.maxFileBytes,
            ...(file.mimeType ? { mimeType: file.mimeType } : {}),
          }),
        );
      } catch (err) {
        if (isDiskFull(err)) throw err;
        const problem = toProblem(err);
        this.log.warn('Could not fetch a file', { code: problem.code, chat: m.conversationId });
        const tooLarge = problem.code === 'dingtalk.file_too_large' || problem.code === 'cccc.blob_too_large';
        await say(tooLarge ? t.fileTooLarge(file.fileName, Math.round(settings.maxFileBytes / 1048576)) : t.fileFailed(file.fileName, problem.message));
      }
    }
    // A plain message may answer an agent's question: it goes back to the agent who asked, as the answer.
    const answer = recipients.length === 0 ? await this.deps.answerTo?.(m.conversationId, text, m.quote) : undefined;
    if (answer) to = [answer.to];
    const body = captionFor(answer?.text ?? text, attachments);
    if (body.trim() === '' && attachments.length === 0) {
      if (files.length === 0) await say(t.emptyMessage());
      return;
    }
    await this.deps.deliver(
      {
        msgId: m.msgId,
        text: body,
        to,
        attachments,
        clientId: `im:dingtalk:${m.conversationId}:${m.msgId}`,
        sourceUserName: m.sender.nick,
        sourceUserId: m.sender.staffId ?? m.sender.id,
        mentionUserIds: m.sender.staffId ? [m.sender.staffId] : [],
        ...(answer ? { replyTo: answer.replyTo } : {}),
      },
      chat,
      unresolved,
    );
    // Delivered; whether the answer will come here is this chat's state in CCCC.
    const flags = await this.deps.im.subscriber(m.conversationId);
    if (flags && !flags.subscribed) await this.tellHowToSubscribe(chat, t, true, mention);
    else if (flags?.paused) await say(t.pausedHeld());
  }

  /** Tells a chat that is not subscribed how to subscribe, at most as often as hintLimits allows. */
  private async tellHowToSubscribe(chat: ChatAddress, t: Replies, delivered: boolean, mention: string[] | undefined): Promise<void> {
    if (!this.hintThrottle.take(chat.conversationId).allowed) return;
    await this.deps.reply(chat, { kind: 'markdown', title: t.titles.notSubscribed, text: t.notSubscribed(delivered) }, mention);
  }

  /** The group's agents, or undefined while CCCC cannot be reached (a lasting refusal still throws). */
  private async actorsIfReachable(): Promise<ActorInfo[] | undefined> {
    try {
      return await this.deps.group.actors();
    } catch (err) {
      const problem = toProblem(err);
      if (!problem.retryable) throw err;
      this.log.info('CCCC unreachable; /send recipients will be checked when it is back', { code: problem.code });
      return undefined;
    }
  }
}
