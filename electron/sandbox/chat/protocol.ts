/**
 * What the sandbox chat page and its server say to each other (JSON over HTTP, server-sent
 * events). Types only: the page imports this file too, so it holds nothing Node-specific.
 */

export interface PersonInfo {
  staffId: string;
  nick: string;
  /** DingTalk admins may be the only ones allowed to command the agents (access policy). */
  isAdmin: boolean;
  /** Avatar background. */
  color: string;
}

export interface ChatInfo {
  id: string;
  type: 'group' | 'single';
  title: string;
  /** Single chats: the person talking with the robot. */
  staffId?: string;
}

export interface ActionButtonView {
  title: string;
  url: string;
}

/** A button of a card with buttons: it calls back (`action`) or opens a link (`url`). */
export interface CardButtonView {
  text: string;
  action?: string;
  url?: string;
  color?: string;
}

export interface FeedLinkView {
  title: string;
  url: string;
  picUrl?: string;
}

/** A message as DingTalk would show it. Markdown and card texts are in DingTalk's Markdown subset. */
export type MessageBody =
  | { type: 'text'; text: string }
  | { type: 'markdown'; title: string; text: string }
  | { type: 'link'; title: string; text: string; url: string; picUrl?: string }
  | { type: 'actionCard'; title: string; text: string; buttons: ActionButtonView[]; horizontal: boolean }
  | { type: 'feedCard'; links: FeedLinkView[] }
  /** A card with buttons (the bridge's button-card template), redrawn in place when it changes. */
  | { type: 'buttonCard'; cardId: string; title: string; markdown: string; note: string; buttons: CardButtonView[] }
  /** `src`: a URL the page can load (a sandbox file, or the robot's own http(s) URL). */
  | { type: 'image'; src: string; name: string }
  | { type: 'file'; href: string; name: string; size: number; fileType: string }
  /**
   * A DingTalk card (its template's variables): the AI card's Markdown body grows while an agent
   * streams into it; `blank`: too long, DingTalk shows nothing.
   */
  | {
      type: 'card';
      templateId: string;
      title: string;
      text: string;
      status: 'processing' | 'inputting' | 'finished' | 'failed';
      blank: boolean;
      params: Record<string, string>;
    }
  | { type: 'unsupported'; what: string };

export type Sender = { kind: 'person'; staffId: string } | { kind: 'robot' };

export interface ChatMessage {
  id: string;
  chatId: string;
  at: number;
  from: Sender;
  body: MessageBody;
  /** People mentioned with @ (staff ids); `all` for @所有人. */
  mentions: string[];
  mentionsAll?: boolean;
  /** Group messages reach the robot only when they @ it; false: the robot never saw it. */
  toRobot?: boolean;
  /** A reaction the robot put on this message (e.g. "🤔思考中"). */
  reaction?: string;
  /** How the robot's message came: session webhook, group send, single-chat send. */
  via?: 'webhook' | 'group' | 'oto';
}

export interface SandboxState {
  robot: { name: string };
  people: PersonInfo[];
  chats: ChatInfo[];
  messages: ChatMessage[];
  maxUploadBytes: number;
}

export type SandboxEvent = { type: 'message'; message: ChatMessage } | { type: 'update'; message: ChatMessage };

export interface SendBody {
  chatId: string;
  staffId: string;
  text: string;
  /** A tapped command link: goes to the robot even in a group (the @ is implied). */
  command?: boolean;
}

/** A person presses a button of a card. */
export interface PressBody {
  chatId: string;
  staffId: string;
  cardId: string;
  action: string;
}

export interface UploadQuery {
  chatId: string;
  staffId: string;
  name: string;
}

export interface ApiFailure {
  error: string;
  message: string;
}

/** Image types DingTalk shows inline (others travel as files). */
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'bmp', 'webp'];

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}
