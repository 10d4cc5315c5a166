/**
 * What live cards (AI cards streaming an agent's answer) say besides the answer, in 中文 and
 * English: typed like replies.ts.
 */
import type { ReplyLanguage } from './replies';

export interface CardTexts {
  /** Under a card that holds only the start of a long answer; the rest follows as messages. */
  continuedBelow: string;
  /** Under a card the bridge closed after a restart, with the text it had. */
  interrupted: string;
  /** Under a card that stopped updating; the whole answer follows as a message. */
  stopped: string;
}

const zh: CardTexts = {
  continuedBelow: '⬇️ 内容较长，下文接续',
  interrupted: '⚠️ 已中断（桥接重启），以上是中断前的内容；完整回答会以消息发出。',
  stopped: '⚠️ 卡片停止更新；完整回答会以消息发出。',
};

const en: CardTexts = {
  continuedBelow: '⬇️ Continued below',
  interrupted: '⚠️ Interrupted (the bridge restarted): this is what the card had; the full answer follows as a message.',
  stopped: '⚠️ This card stopped updating; the full answer follows as a message.',
};

export const CARD_TEXTS: Record<ReplyLanguage, CardTexts> = { zh, en };
