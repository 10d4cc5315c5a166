/**
 * Answers the robot messages the bridge will not take — a text over the length limit, a frame
 * too large to keep, a message that does not match the protocol, a poison message whose keeping
 * failed every time — so that DingTalk stops pushing it and the person hears why. Only
 * authorized chats are answered (CCCC's rule: others hear back on /subscribe only). What could
 * not be answered, or failed to be kept, is set aside in `inbound-refused.jsonl` and raised as a
 * problem. A rejection here is a local failure (the outbox could not keep the answer): the
 * caller then leaves the message un-ACKed.
 */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RefusedChat } from '../../dingtalk/inbound-message';
import type { Refusal } from '../../dingtalk/stream-client';
import type { Problem } from '../../errors';
import { silentLogger, type Logger } from '../../log/logger';
import type { ChatAddress } from '../chat-address';
import type { ImStatePort } from '../ports';
import type { SessionWebhooks } from '../session-webhooks';
import { REPLIES, type ReplyLanguage } from '../../i18n/replies';

export const REFUSED_FILE = 'inbound-refused.jsonl';

export interface RefusalDeps {
  stateDir: string;
  im: Pick<ImStatePort, 'isAuthorized'>;
  settings(): { lang: ReplyLanguage; maxMessageChars: number };
  /** Queues a text to the chat durably; rejects when it could not be kept. */
  reply(chat: ChatAddress, text: string, mention?: string[]): Promise<void>;
  /** Where the message's reply address is kept (the store checks its host). */
  webhooks: Pick<SessionWebhooks, 'remember'>;
  problem(problem: Problem): void;
  logger?: Logger;
}

export class Refusals {
  private readonly log: Logger;

  constructor(private readonly deps: RefusalDeps) {
    this.log = (deps.logger ?? silentLogger).child('refused');
  }

  /** Resolves once the answer is queued (or there is nobody to answer). */
  async answer(refusal: Refusal): Promise<void> {
    const { chat } = refusal;
    const { lang, maxMessageChars } = this.deps.settings();
    const t = REPLIES[lang];
    if (refusal.reason !== 'too_large') await this.setAside(refusal);
    if (refusal.reason === 'failed') this.deps.problem(poisonProblem(refusal.problem, join(this.deps.stateDir, REFUSED_FILE)));
    if (!chat) {
      this.deps.problem({
        code: 'dingtalk.message_unanswerable',
        message:
          refusal.reason === 'too_large'
            ? `A message of ${refusal.bytes ?? '?'} bytes arrived without a readable chat; it was acknowledged and dropped`
            : 'A robot message without a readable chat was acknowledged and set aside',
        hint: `See ${join(this.deps.stateDir, REFUSED_FILE)} and the log.`,
        retryable: false,
      });
      return;
    }
    if (!(await this.authorized(chat))) return;
    const text = refusal.reason === 'too_large' && chat.chars !== undefined && chat.chars > 0 ? t.tooLong(chat.chars, maxMessageChars) : t.unreadable();
    if (chat.sessionWebhook) this.deps.webhooks.remember(chat.conversationId, chat.sessionWebhook);
    const mention = chat.conversationType === 'group' && chat.senderStaffId ? [chat.senderStaffId] : undefined;
    await this.deps.reply(addressOf(chat), text, mention);
  }

  private async authorized(chat: RefusedChat): Promise<boolean> {
    try {
      return await this.deps.im.isAuthorized(chat.conversationId);
    } catch (err) {
      this.log.warn('Could not check whether a refused message may be answered', { chat: chat.conversationId, error: err });
      return false;
    }
  }

  /** Best effort: the refusal is logged and raised either way. */
  private async setAside(refusal: Exclude<Refusal, { reason: 'too_large' }>): Promise<void> {
    const path = join(this.deps.stateDir, REFUSED_FILE);
    const record =
      refusal.reason === 'failed'
        ? { at: Date.now(), reason: refusal.reason, deliveries: refusal.deliveries, problem: refusal.problem, message: refusal.message }
        : { at: Date.now(), reason: refusal.reason, data: refusal.data };
    try {
      await appendFile(path, `${JSON.stringify(record)}\n`, { mode: 0o600 });
      this.log.warn('Set a refused message aside', { reason: refusal.reason, msgId: refusal.chat?.msgId, path });
    } catch (err) {
      this.log.error('Could not set a refused message aside', { reason: refusal.reason, msgId: refusal.chat?.msgId, error: err });
    }
  }
}

function addressOf(chat: RefusedChat): ChatAddress {
  const address: ChatAddress = { conversationId: chat.conversationId, conversationType: chat.conversationType };
  if (chat.conversationType === 'single' && chat.senderStaffId) address.userId = chat.senderStaffId;
  return address;
}

function poisonProblem(cause: Problem, path: string): Problem {
  return {
    code: 'bridge.message_refused',
    message: `A message could not be kept (${cause.message}); it was acknowledged, answered and set aside`,
    hint: `It is in ${path}; please report it with the log.`,
    retryable: false,
  };
}
