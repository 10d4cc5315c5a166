/** The test card Settings sends to check a button-card template (bridge/cards/test-card.ts), in the chat's reply language. */
import type { ReplyLanguage } from './replies';

export interface TestCardText {
  title: string;
  markdown: (templateId: string) => string;
  note: string;
  /** The button's text; it sends /help as the person who taps it. */
  button: string;
}

export const TEST_CARD_TEXTS: Record<ReplyLanguage, TestCardText> = {
  en: {
    title: 'Test card from the CCCC bridge',
    markdown: (templateId) =>
      `The template \`${templateId}\` works: this card shows its **title**, this **Markdown** body, a note below and a button.\n\nFrom now on /subscribe, /status and /help can answer with cards like this one.`,
    note: 'Sent from the bridge settings to check the template.',
    button: 'Send /help',
  },
  zh: {
    title: 'CCCC 桥接的测试卡片',
    markdown: (templateId) =>
      `模板 \`${templateId}\` 可以使用：这张卡片显示了它的**标题**、这段 **Markdown** 正文、下方的备注和一个按钮。\n\n今后 /subscribe、/status 和 /help 可以用这样的卡片回复。`,
    note: '从桥接设置发送，用于检查模板。',
    button: '发送 /help',
  },
};
