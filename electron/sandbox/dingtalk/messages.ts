/**
 * Builds full robot messages (docs/dingtalk-protocol.md §3) from the little a test cares about, and registers the
 * session webhook each message carries.
 */
import { conversationId, hex, robotMsgId, staffLikeId } from './ids';
import type { FakeState } from './state';
import type { FakeApp, InjectInput, RobotMessage, SentMessage } from './types';

export const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';
export const FAKE_CORP_ID = 'dingfakecorp00000000000000000000';
export const DEFAULT_SENDER_STAFF_ID = 'user001';
export const DEFAULT_SENDER_NICK = 'Test User';
export const DEFAULT_GROUP_TITLE = 'Fake Group';

export interface BuildEnv {
  state: FakeState;
  app: Required<FakeApp>;
  /** URL of the session webhook for a session token. */
  webhookUrl: (session: string) => string;
}

export function chatbotUserId(app: FakeApp): string {
  return staffLikeId(`bot:${app.appKey}`);
}

export function buildRobotMessage(input: InjectInput, env: BuildEnv): RobotMessage {
  const { app, state } = env;
  const { text, file, picture, quote, ...overrides } = input;
  const conversationType = input.conversationType ?? '2';
  const group = conversationType === '2';
  const createAt = input.createAt ?? Date.now();
  // An explicit `senderStaffId: undefined` means an external user without a staff id.
  const externalUser = 'senderStaffId' in input && input.senderStaffId === undefined;
  const senderStaffId = externalUser ? undefined : (input.senderStaffId ?? DEFAULT_SENDER_STAFF_ID);
  const senderId = input.senderId ?? staffLikeId(`user:${app.appKey}:${senderStaffId ?? input.senderNick ?? 'external'}`);
  const botId = chatbotUserId(app);
  const cid = input.conversationId ?? conversationId(group ? `group:${app.appKey}` : `single:${app.appKey}:${senderStaffId ?? senderId}`);

  const session = hex(16);
  const expiredTime = input.sessionWebhookExpiredTime ?? createAt + state.opts.webhookTtlMs;
  state.sessions.set(session, {
    appKey: app.appKey,
    robotCode: app.robotCode,
    conversationId: cid,
    conversationType,
    expiresAt: expiredTime,
  });

  const msg: RobotMessage = {
    conversationId: cid,
    conversationType,
    msgId: robotMsgId(),
    senderNick: DEFAULT_SENDER_NICK,
    senderId,
    senderCorpId: FAKE_CORP_ID,
    isAdmin: true,
    chatbotUserId: botId,
    chatbotCorpId: FAKE_CORP_ID,
    robotCode: app.robotCode,
    createAt,
    sessionWebhook: env.webhookUrl(session),
    sessionWebhookExpiredTime: expiredTime,
    msgtype: 'text',
  };
  if (senderStaffId !== undefined) msg.senderStaffId = senderStaffId;
  if (group) {
    msg.conversationTitle = DEFAULT_GROUP_TITLE;
    msg.isInAtList = true;
    msg.atUsers = [{ dingtalkId: botId }];
  }

  if (file) {
    const { downloadCode } = state.addFile(file.content, file.fileName ?? 'file.bin');
    msg.msgtype = 'file';
    msg.content = { downloadCode, fileName: file.fileName ?? 'file.bin', fileId: hex(8), spaceId: String(10_000_000 + Math.floor(Math.random() * 1e7)) };
  } else if (picture) {
    const { downloadCode } = state.addFile(picture.content, picture.fileName ?? 'image.png');
    msg.msgtype = 'picture';
    msg.content = { downloadCode, pictureDownloadCode: downloadCode };
  } else if (typeof text === 'string') {
    msg.msgtype = 'text';
    msg.text = { content: group && !text.startsWith(' ') ? ` ${text}` : text, ...(quote ? quoted(quote, botId) : {}) };
  } else if (text !== undefined) {
    msg.text = text;
  } else if (input.msgtype === undefined && input.content === undefined) {
    msg.text = { content: group ? ' hello' : 'hello' };
  }

  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete msg[k];
    else msg[k] = v;
  }
  return msg;
}

/**
 * DingTalk's (undocumented) quote of a message: `isReplyMsg` and `repliedMsg` inside `text`. What
 * a quoted robot card or Markdown message carries as `content.text` is not confirmed; the fake
 * gives its Markdown text (or its plain text, or title).
 */
function quoted(quote: SentMessage | { text: string; senderId?: string }, botId: string): Record<string, unknown> {
  if ('text' in quote && typeof quote.text === 'string') {
    return { isReplyMsg: true, repliedMsg: { msgId: robotMsgId(), senderId: quote.senderId ?? botId, msgType: 'text', content: { text: quote.text } } };
  }
  const sent = quote as SentMessage;
  const p = sent.msgParam;
  const text = [p['text'], p['content'], p['title']].find((v): v is string => typeof v === 'string') ?? '';
  return { isReplyMsg: true, repliedMsg: { msgId: robotMsgId(), senderId: botId, msgType: sent.msgKey, createdAt: sent.at, content: { text } } };
}
