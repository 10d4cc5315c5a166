/**
 * Turns what the robot sent to the fake DingTalk (OpenAPI msgKey + msgParam, or a session
 * webhook's custom-robot body) into the message a DingTalk client would show.
 */
import type { FakeCard, SentMessage } from '../dingtalk/types';
import type { ActionButtonView, FeedLinkView, MessageBody } from './protocol';

/** Where the page can fetch the robot's uploaded media from. */
export interface MediaShelf {
  /** A URL for a media_id the robot uploaded; undefined when the fake has no such media. */
  media(mediaId: string): { href: string; name: string; size: number } | undefined;
}

type Params = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function buttonsOf(p: Params, titleKey: string, urlKey: string, max: number): ActionButtonView[] {
  const out: ActionButtonView[] = [];
  for (let i = 1; i <= max; i++) {
    const title = str(p[`${titleKey}${i}`]);
    const url = str(p[`${urlKey}${i}`]);
    if (title) out.push({ title, url });
  }
  return out;
}

function imageOf(photo: string, shelf: MediaShelf): MessageBody {
  if (/^https?:\/\//i.test(photo)) return { type: 'image', src: photo, name: '' };
  const media = shelf.media(photo);
  return media ? { type: 'image', src: media.href, name: media.name } : { type: 'unsupported', what: '图片已失效 / image expired' };
}

function fileOf(p: Params, shelf: MediaShelf): MessageBody {
  const media = shelf.media(str(p['mediaId']));
  const name = str(p['fileName']) || media?.name || 'file';
  if (!media) return { type: 'unsupported', what: `文件已失效 / file expired: ${name}` };
  return { type: 'file', href: media.href, name, size: media.size, fileType: str(p['fileType']) };
}

/** OpenAPI sends: msgKey → msgParam (docs/dingtalk-protocol.md §4). */
function fromOpenApi(msgKey: string, p: Params, shelf: MediaShelf): MessageBody {
  switch (msgKey) {
    case 'sampleText':
      return { type: 'text', text: str(p['content']) };
    case 'sampleMarkdown':
      return { type: 'markdown', title: str(p['title']), text: str(p['text']) };
    case 'sampleLink':
      return {
        type: 'link',
        title: str(p['title']),
        text: str(p['text']),
        url: str(p['messageUrl']),
        ...(str(p['picUrl']) ? { picUrl: str(p['picUrl']) } : {}),
      };
    case 'sampleActionCard':
      return {
        type: 'actionCard',
        title: str(p['title']),
        text: str(p['text']),
        buttons: [{ title: str(p['singleTitle']), url: str(p['singleURL']) }],
        horizontal: false,
      };
    case 'sampleActionCard6':
      return { type: 'actionCard', title: str(p['title']), text: str(p['text']), buttons: buttonsOf(p, 'buttonTitle', 'buttonUrl', 2), horizontal: true };
    case 'sampleImageMsg':
      return imageOf(str(p['photoURL']), shelf);
    case 'sampleFile':
      return fileOf(p, shelf);
  }
  if (/^sampleActionCard[2-5]$/.test(msgKey)) {
    return { type: 'actionCard', title: str(p['title']), text: str(p['text']), buttons: buttonsOf(p, 'actionTitle', 'actionURL', 5), horizontal: false };
  }
  return { type: 'unsupported', what: msgKey };
}

/** Session webhooks: custom-robot msgtypes. */
function fromWebhook(msgtype: string, p: Params): MessageBody {
  switch (msgtype) {
    case 'text':
      return { type: 'text', text: str(p['content']) };
    case 'markdown':
      return { type: 'markdown', title: str(p['title']), text: str(p['text']) };
    case 'link':
      return {
        type: 'link',
        title: str(p['title']),
        text: str(p['text']),
        url: str(p['messageUrl']),
        ...(str(p['picUrl']) ? { picUrl: str(p['picUrl']) } : {}),
      };
    case 'actionCard': {
      const single = str(p['singleTitle']);
      const buttons: ActionButtonView[] = single
        ? [{ title: single, url: str(p['singleURL']) }]
        : (Array.isArray(p['btns']) ? (p['btns'] as Params[]) : []).map((b) => ({ title: str(b['title']), url: str(b['actionURL']) }));
      return { type: 'actionCard', title: str(p['title']), text: str(p['text']), buttons, horizontal: str(p['btnOrientation']) === '1' };
    }
    case 'feedCard': {
      const links: FeedLinkView[] = (Array.isArray(p['links']) ? (p['links'] as Params[]) : []).map((l) => ({
        title: str(l['title']),
        url: str(l['messageURL']),
        ...(str(l['picURL']) ? { picUrl: str(l['picURL']) } : {}),
      }));
      return { type: 'feedCard', links };
    }
  }
  return { type: 'unsupported', what: msgtype };
}

export interface RobotView {
  body: MessageBody;
  mentions: string[];
  mentionsAll: boolean;
}

export function robotView(m: SentMessage, shelf: MediaShelf): RobotView {
  if (m.via !== 'webhook') return { body: fromOpenApi(m.msgKey, m.msgParam, shelf), mentions: [], mentionsAll: false };
  const at = (m.webhookBody?.['at'] ?? {}) as Params;
  const ids = Array.isArray(at['atUserIds']) ? (at['atUserIds'] as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  return { body: fromWebhook(m.msgKey, m.msgParam), mentions: ids, mentionsAll: at['isAtAll'] === true };
}

/**
 * A card as the client shows it: DingTalk's AI card has a title and a Markdown body
 * (`msgTitle`, `msgContent`); another template shows its `title` and `content`, if any.
 */
export function cardView(card: FakeCard): MessageBody {
  const p = card.params;
  return {
    type: 'card',
    templateId: card.templateId,
    title: p['msgTitle'] ?? p['title'] ?? '',
    text: p['msgContent'] ?? p['content'] ?? p['markdown'] ?? '',
    status: card.status,
    blank: card.blank,
    params: { ...p },
  };
}
