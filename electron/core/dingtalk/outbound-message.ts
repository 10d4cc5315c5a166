/**
 * Robot messages the bridge can send (docs/dingtalk-protocol.md §4): OpenAPI msgKey + msgParam, and the
 * equivalent custom-robot body for the session webhook reply path.
 */
export interface ActionButton {
  title: string;
  url: string;
}

export type OutboundMessage =
  | { kind: 'text'; content: string }
  | { kind: 'markdown'; title: string; text: string }
  | { kind: 'link'; title: string; text: string; messageUrl: string; picUrl?: string }
  /**
   * One button → sampleActionCard; 2–5 stacked → sampleActionCard2…5; two side by side
   * (`horizontal`) → sampleActionCard6.
   */
  | { kind: 'actionCard'; title: string; text: string; buttons: ActionButton[]; horizontal?: boolean }
  | { kind: 'image'; photoUrl: string }
  | { kind: 'file'; mediaId: string; fileName: string; fileType: string };

export interface OpenApiPayload {
  msgKey: string;
  msgParam: string;
}

function actionCardParam(card: Extract<OutboundMessage, { kind: 'actionCard' }>): { msgKey: string; param: Record<string, string> } {
  const { title, text, buttons } = card;
  if (buttons.length < 1 || buttons.length > 5) throw new RangeError('An ActionCard needs 1 to 5 buttons');
  if (card.horizontal) {
    if (buttons.length !== 2) throw new RangeError('A horizontal ActionCard has exactly 2 buttons');
    const [a, b] = buttons as [ActionButton, ActionButton];
    return { msgKey: 'sampleActionCard6', param: { title, text, buttonTitle1: a.title, buttonUrl1: a.url, buttonTitle2: b.title, buttonUrl2: b.url } };
  }
  const [only] = buttons;
  if (only && buttons.length === 1) {
    return { msgKey: 'sampleActionCard', param: { title, text, singleTitle: only.title, singleURL: only.url } };
  }
  const param: Record<string, string> = { title, text };
  buttons.forEach((b, i) => {
    param[`actionTitle${i + 1}`] = b.title;
    param[`actionURL${i + 1}`] = b.url;
  });
  return { msgKey: `sampleActionCard${buttons.length}`, param };
}

export function toOpenApiPayload(message: OutboundMessage): OpenApiPayload {
  switch (message.kind) {
    case 'text':
      return { msgKey: 'sampleText', msgParam: JSON.stringify({ content: message.content }) };
    case 'markdown':
      return { msgKey: 'sampleMarkdown', msgParam: JSON.stringify({ title: message.title, text: message.text }) };
    case 'link':
      return {
        msgKey: 'sampleLink',
        msgParam: JSON.stringify({ text: message.text, title: message.title, picUrl: message.picUrl ?? '', messageUrl: message.messageUrl }),
      };
    case 'actionCard': {
      const { msgKey, param } = actionCardParam(message);
      return { msgKey, msgParam: JSON.stringify(param) };
    }
    case 'image':
      return { msgKey: 'sampleImageMsg', msgParam: JSON.stringify({ photoURL: message.photoUrl }) };
    case 'file':
      return {
        msgKey: 'sampleFile',
        msgParam: JSON.stringify({ mediaId: message.mediaId, fileName: message.fileName, fileType: message.fileType }),
      };
  }
}

/** Whether the session webhook (custom-robot format) can carry this message; it cannot send files or images. */
export function webhookCanSend(message: OutboundMessage): boolean {
  return message.kind !== 'file' && message.kind !== 'image';
}

export interface WebhookMention {
  atUserIds?: string[];
  isAtAll?: boolean;
}

export function toWebhookBody(message: OutboundMessage, at?: WebhookMention): Record<string, unknown> {
  const mention = at && (at.atUserIds?.length || at.isAtAll) ? { at } : {};
  switch (message.kind) {
    case 'text':
      return { msgtype: 'text', text: { content: message.content }, ...mention };
    case 'markdown':
      return { msgtype: 'markdown', markdown: { title: message.title, text: message.text }, ...mention };
    case 'link':
      return { msgtype: 'link', link: { title: message.title, text: message.text, messageUrl: message.messageUrl, picUrl: message.picUrl ?? '' } };
    case 'actionCard': {
      const [b] = message.buttons;
      if (b && message.buttons.length === 1) {
        return { msgtype: 'actionCard', actionCard: { title: message.title, text: message.text, singleTitle: b.title, singleURL: b.url } };
      }
      return {
        msgtype: 'actionCard',
        actionCard: {
          title: message.title,
          text: message.text,
          btnOrientation: message.horizontal ? '1' : '0',
          btns: message.buttons.map((b) => ({ title: b.title, actionURL: b.url })),
        },
      };
    }
    case 'image':
    case 'file':
      throw new RangeError(`A session webhook cannot send ${message.kind} messages`);
  }
}
