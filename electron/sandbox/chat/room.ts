/**
 * The sandbox's chats: a group and one single chat per person, with everything said in them.
 * People's messages go to the fake DingTalk as robot messages (the way DingTalk delivers them
 * to a Stream robot); whatever the robot sends comes back through the fake and lands in the
 * right chat. Kept in memory: the sandbox starts clean every time.
 */
import { randomBytes } from 'node:crypto';
import { BoundedMap } from '../../core/util/bounded';
import { contentTypeFor } from '../../core/util/content-type';
import { conversationId, staffLikeId } from '../dingtalk/ids';
import { chatbotUserId } from '../dingtalk/messages';
import type { EmotionRecord, FakeCard, FakeDingTalk, InjectInput, SentMessage } from '../dingtalk/types';
import { extensionOf, IMAGE_EXTENSIONS, type ChatInfo, type ChatMessage, type MessageBody, type PersonInfo, type SandboxEvent } from './protocol';
import { cardView, robotView, type MediaShelf } from './robot-messages';
import { buttonCardBody } from './button-cards';

export const DEFAULT_PEOPLE: PersonInfo[] = [
  { staffId: 'zhangsan', nick: '张三', isAdmin: true, color: '#3296fa' },
  { staffId: 'alice', nick: 'Alice', isAdmin: false, color: '#f5a623' },
  { staffId: 'bob', nick: 'Bob', isAdmin: false, color: '#15bc83' },
];

export const DEFAULT_ROBOT_NAME = 'CCCC 助手';
export const DEFAULT_GROUP_TITLE = 'CCCC 演示群';
export const GROUP_CHAT_ID = 'group';

/** The most messages kept; the oldest go first. */
const HISTORY_LIMIT = 2_000;
/** The most file bytes kept in memory; the oldest files go first (their messages then show a dead link). */
const FILE_BUDGET_BYTES = 256 * 1024 * 1024;

export interface StoredFile {
  content: Buffer;
  name: string;
  mime: string;
}

export class RoomError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Files of these harmless types are shown inline on the chat page; anything else is a plain download. */
const INLINE_TYPES = new Set(['.png', '.jpg', '.jpeg', '.gif', '.bmp', '.webp', '.pdf', '.txt', '.md', '.json', '.zip']);

export function mimeOf(name: string): string {
  return contentTypeFor(name, INLINE_TYPES) ?? 'application/octet-stream';
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface ChatRoomOptions {
  people?: PersonInfo[];
  robotName?: string;
  groupTitle?: string;
}

export class ChatRoom implements MediaShelf {
  readonly people: PersonInfo[];
  readonly robotName: string;
  readonly chats: ChatInfo[];
  private readonly messages: ChatMessage[] = [];
  private readonly byMsgId = new BoundedMap<string, ChatMessage>(HISTORY_LIMIT);
  /** Cards shown, by outTrackId: a card changes in place (AI cards as they stream, button cards after a press). */
  private readonly byCard = new BoundedMap<string, ChatMessage>(HISTORY_LIMIT);
  private readonly files = new Map<string, StoredFile>();
  private fileBytes = 0;
  private readonly mediaFiles = new Map<string, string>();
  private readonly listeners = new Set<(event: SandboxEvent) => void>();
  private readonly cids = new Map<string, string>();
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly dt: FakeDingTalk,
    options: ChatRoomOptions = {},
  ) {
    this.people = options.people ?? DEFAULT_PEOPLE;
    this.robotName = options.robotName ?? DEFAULT_ROBOT_NAME;
    this.chats = [
      { id: GROUP_CHAT_ID, type: 'group', title: options.groupTitle ?? DEFAULT_GROUP_TITLE },
      ...this.people.map((p): ChatInfo => ({ id: `single:${p.staffId}`, type: 'single', title: this.robotName, staffId: p.staffId })),
    ];
    for (const chat of this.chats) this.cids.set(this.conversationIdOf(chat), chat.id);
    this.unsubscribe = [dt.onSent((m) => this.robotSent(m)), dt.onEmotion((e) => this.reacted(e)), dt.onCard((c) => this.cardChanged(c))];
  }

  close(): void {
    for (const off of this.unsubscribe) off();
    this.listeners.clear();
  }

  onEvent(listener: (event: SandboxEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  history(): ChatMessage[] {
    return structuredClone(this.messages);
  }

  file(id: string): StoredFile | undefined {
    return this.files.get(id);
  }

  media(mediaId: string): { href: string; name: string; size: number } | undefined {
    let id = this.mediaFiles.get(mediaId);
    if (!id) {
      const media = this.dt.mediaContent(mediaId);
      if (!media) return undefined;
      id = this.shelve(media.content, media.fileName);
      this.mediaFiles.set(mediaId, id);
    }
    const file = this.files.get(id)!;
    return { href: fileHref(id, file.name), name: file.name, size: file.content.length };
  }

  // ---- people speak -------------------------------------------------------------------------

  /** A person types in a chat. In the group the robot hears it only when it is @-mentioned. */
  say(chatId: string, staffId: string, text: string, options: { command?: boolean } = {}): ChatMessage {
    const { chat, person } = this.where(chatId, staffId);
    const trimmed = text.trim();
    if (!trimmed) throw new RoomError('empty', '消息是空的 / empty message');
    const robotMention = `@${this.robotName}`;
    const group = chat.type === 'group';
    // A tapped command link in a group is said to the robot, as if typed after its @.
    const shown = group && options.command && !trimmed.includes(robotMention) ? `${robotMention} ${trimmed}` : trimmed;
    const toRobot = !group || shown.includes(robotMention);
    const mentioned = this.mentionedPeople(shown);
    const message = this.add({
      chatId,
      from: { kind: 'person', staffId },
      body: { type: 'text', text: shown },
      mentions: mentioned.map((p) => p.staffId),
      ...(/@所有人/.test(shown) ? { mentionsAll: true } : {}),
      ...(group ? { toRobot } : {}),
    });
    if (toRobot) {
      // DingTalk removes the robot's own @ and leaves the space before the rest.
      const forRobot = group ? shown.split(robotMention).join('') : shown;
      const injected = this.dt.injectMessage({
        ...this.sender(chat, person),
        text: forRobot,
        ...(group
          ? { atUsers: [{ dingtalkId: chatbotUserId(this.dt.apps[0]!) }, ...mentioned.map((p) => ({ dingtalkId: this.dingtalkIdOf(p), staffId: p.staffId }))] }
          : {}),
      });
      this.remember(injected.msgId, message);
    }
    return structuredClone(message);
  }

  /** A person sends a file or a picture. DingTalk lets people @ the robot with pictures in groups, not with files. */
  upload(chatId: string, staffId: string, name: string, content: Buffer): ChatMessage {
    const { chat, person } = this.where(chatId, staffId);
    if (content.length === 0) throw new RoomError('empty', '文件是空的 / empty file');
    const image = IMAGE_EXTENSIONS.includes(extensionOf(name));
    if (chat.type === 'group' && !image) {
      throw new RoomError(
        'group_file',
        '钉钉群里不能 @机器人 发文件，请在单聊中发送。 / In DingTalk groups files cannot be sent to the robot; use the single chat.',
      );
    }
    const id = this.shelve(content, name);
    const href = fileHref(id, name);
    const body: MessageBody = image ? { type: 'image', src: href, name } : { type: 'file', href, name, size: content.length, fileType: extensionOf(name) };
    const message = this.add({ chatId, from: { kind: 'person', staffId }, body, mentions: [], ...(chat.type === 'group' ? { toRobot: true } : {}) });
    const { downloadCode } = this.dt.addFile(content, { fileName: name });
    const input: InjectInput = { ...this.sender(chat, person) };
    if (!image) {
      input.msgtype = 'file';
      input.content = { downloadCode, fileName: name, fileId: randomBytes(8).toString('hex'), spaceId: String(20_000_000 + randomBytes(2).readUInt16BE()) };
    } else if (chat.type === 'group') {
      // A picture with the robot's @ arrives as rich text.
      input.msgtype = 'richText';
      input.content = { richText: [{ type: 'picture', downloadCode, pictureDownloadCode: downloadCode }] };
      input.atUsers = [{ dingtalkId: chatbotUserId(this.dt.apps[0]!) }];
    } else {
      input.msgtype = 'picture';
      input.content = { downloadCode, pictureDownloadCode: downloadCode };
    }
    const injected = this.dt.injectMessage(input);
    this.remember(injected.msgId, message);
    return structuredClone(message);
  }

  /** A person presses a button of a card in a chat they are in. */
  press(chatId: string, staffId: string, cardId: string, action: string): void {
    const { chat } = this.where(chatId, staffId);
    const message = this.byCard.get(cardId);
    if (!message || message.chatId !== chat.id) throw new RoomError('unknown_card', `没有这张卡片 / no card ${cardId} here`);
    try {
      this.dt.pressCardButton(cardId, { staffId, button: action });
    } catch (err) {
      throw new RoomError('not_pressable', (err as Error).message);
    }
  }

  // ---- the robot speaks -----------------------------------------------------------------------

  private robotSent(m: SentMessage): void {
    const chatIds =
      m.via === 'oto'
        ? (m.userIds ?? []).map((u) => `single:${u}`).filter((id) => this.chats.some((c) => c.id === id))
        : [this.cids.get(m.conversationId ?? '')].filter((id): id is string => id !== undefined);
    for (const chatId of chatIds) {
      const view = robotView(m, this);
      this.add({ chatId, from: { kind: 'robot' }, body: view.body, mentions: view.mentions, ...(view.mentionsAll ? { mentionsAll: true } : {}), via: m.via });
    }
  }

  /** A card appears where it was delivered, and is redrawn in place on every change. */
  private cardChanged(card: FakeCard): void {
    const body = buttonCardBody(card) ?? cardView(card);
    const shown = this.byCard.get(card.outTrackId);
    if (shown) {
      shown.body = body;
      this.emit({ type: 'update', message: structuredClone(shown) });
      return;
    }
    const chatId = card.space.type === 'IM_GROUP' ? this.cids.get(card.space.id) : `single:${card.space.id}`;
    if (!chatId || !this.chats.some((c) => c.id === chatId)) return;
    this.byCard.set(card.outTrackId, this.add({ chatId, from: { kind: 'robot' }, body, mentions: [] }));
  }

  private reacted(e: EmotionRecord): void {
    const message = this.byMsgId.get(String(e.body['openMsgId'] ?? ''));
    if (!message) return;
    if (e.action === 'reply') message.reaction = String(e.body['emotionName'] ?? '🤔');
    else delete message.reaction;
    this.emit({ type: 'update', message: structuredClone(message) });
  }

  // ---- helpers -------------------------------------------------------------------------------

  private where(chatId: string, staffId: string): { chat: ChatInfo; person: PersonInfo } {
    const chat = this.chats.find((c) => c.id === chatId);
    const person = this.people.find((p) => p.staffId === staffId);
    if (!chat) throw new RoomError('unknown_chat', `没有这个会话 / no chat ${chatId}`);
    if (!person) throw new RoomError('unknown_person', `没有这个人 / no person ${staffId}`);
    if (chat.type === 'single' && chat.staffId !== staffId) throw new RoomError('not_your_chat', '这是别人的单聊 / someone else’s single chat');
    return { chat, person };
  }

  private conversationIdOf(chat: ChatInfo): string {
    return conversationId(`sandbox:${chat.id}`);
  }

  private dingtalkIdOf(p: PersonInfo): string {
    return staffLikeId(`sandbox:${p.staffId}`);
  }

  private sender(chat: ChatInfo, person: PersonInfo): InjectInput {
    const group = chat.type === 'group';
    return {
      conversationId: this.conversationIdOf(chat),
      conversationType: group ? '2' : '1',
      ...(group ? { conversationTitle: chat.title } : {}),
      senderStaffId: person.staffId,
      senderNick: person.nick,
      senderId: this.dingtalkIdOf(person),
      isAdmin: person.isAdmin,
    };
  }

  private mentionedPeople(text: string): PersonInfo[] {
    return this.people.filter((p) => new RegExp(`@${escapeRe(p.nick)}(?![\\p{L}\\p{N}_])`, 'u').test(text));
  }

  /** Which message a DingTalk msgId is, for the robot's reactions to it. */
  private remember(msgId: string, message: ChatMessage): void {
    this.byMsgId.set(msgId, message);
  }

  private shelve(content: Buffer, name: string): string {
    const id = randomBytes(12).toString('hex');
    this.files.set(id, { content, name, mime: mimeOf(name) });
    this.fileBytes += content.length;
    for (const [oldId, file] of this.files) {
      if (this.fileBytes <= FILE_BUDGET_BYTES || oldId === id) break;
      this.files.delete(oldId);
      this.fileBytes -= file.content.length;
    }
    for (const [mediaId, fileId] of this.mediaFiles) if (!this.files.has(fileId)) this.mediaFiles.delete(mediaId);
    return id;
  }

  private add(m: Omit<ChatMessage, 'id' | 'at'>): ChatMessage {
    const message: ChatMessage = { id: randomBytes(8).toString('hex'), at: Date.now(), ...m };
    this.messages.push(message);
    if (this.messages.length > HISTORY_LIMIT) this.messages.splice(0, this.messages.length - HISTORY_LIMIT);
    this.emit({ type: 'message', message: structuredClone(message) });
    return message;
  }

  private emit(event: SandboxEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

export function fileHref(id: string, name: string): string {
  return `/files/${id}/${encodeURIComponent(name)}`;
}
