/** "Send a test card": a card made from the template being set up, into a subscribed chat, with what DingTalk said. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChatView } from '../../../electron/shared/api';
import { useApiMutation } from '../api/useApiMutation';
import { chatLabel } from '../ui/chatLabel';
import { ProblemBox } from '../ui/Problem';

export function TestCard({ bridgeId, templateId, valid, chats }: { bridgeId: string; templateId: string; valid: boolean; chats: ChatView[] }) {
  const { t } = useTranslation();
  const sending = useApiMutation();
  const subscribed = chats.filter((c) => c.subscribed);
  const [chatId, setChatId] = useState(subscribed[0]?.chatId ?? '');
  // What the last send did, for this template only: another template has not been tried yet.
  const [sent, setSent] = useState<{ templateId: string; chat: string }>();
  const chat = subscribed.find((c) => c.chatId === chatId);

  const send = async (): Promise<void> => {
    if (!chat) return;
    setSent(undefined);
    if (await sending.run('sendTestCard', { bridgeId, chatId: chat.chatId, templateId })) setSent({ templateId, chat: chatLabel(chat, t) });
  };

  return (
    <div className="test-card">
      <p className="field-label">{t('settings.buttonCards.test')}</p>
      <p className="hint">{t('settings.buttonCards.testHint')}</p>
      {subscribed.length === 0 ? (
        <p className="hint">{t('settings.buttonCards.testNoChat')}</p>
      ) : (
        <div className="action-row">
          <label className="inline-field">
            <span className="field-label">{t('settings.buttonCards.testChat')}</span>
            <select value={chatId} onChange={(e) => (setChatId(e.target.value), setSent(undefined), sending.clear())}>
              {subscribed.map((c) => (
                <option key={c.chatId} value={c.chatId} title={c.chatId}>
                  {chatLabel(c, t)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn" onClick={() => void send()} disabled={!valid || templateId === '' || !chat || sending.busy}>
            {sending.busy ? t('settings.buttonCards.testSending') : t('settings.buttonCards.test')}
          </button>
        </div>
      )}
      <div role="status" aria-live="polite">
        {sent?.templateId === templateId && <p className="callout callout-ok">{t('settings.buttonCards.testSent', { chat: sent.chat })}</p>}
      </div>
      {sending.problem && <ProblemBox problem={sending.problem} compact />}
    </div>
  );
}
