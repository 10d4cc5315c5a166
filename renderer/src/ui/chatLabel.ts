/** What a DingTalk chat is called on screen: its name and kind, never a bare `cid…==` id (that goes on hover). */
import type { TFunction } from 'i18next';
import type { ChatView } from '../../../electron/shared/api';

export type NamedChat = Pick<ChatView, 'chatId' | 'title' | 'withNick'> & { type?: ChatView['type'] };

/** `Dev team`, `Single chat with Alice`; a chat nothing is known of yet keeps its id. */
export function chatLabel(c: NamedChat, t: TFunction): string {
  if (c.type === 'single') return c.withNick ? t('wizard.subscribe.singleWith', { nick: c.withNick }) : (c.title ?? t('dashboard.chatSingle'));
  if (c.title) return c.title;
  return c.type === 'group' ? t('dashboard.chatUnnamed') : c.chatId;
}
