/**
 * A message's body as the DingTalk client shows it: text with @-mentions, the Markdown subset,
 * link cards, ActionCards with buttons, feed cards, pictures and files. Command links
 * (`dtmd://dingtalkclient/sendMessage?content=…`) send their text when tapped.
 */
import { commandOf, linkKind, parseMarkdown, type Block, type Inline } from '../markdown';
import type { ActionButtonView, CardButtonView, ChatMessage, MessageBody, PersonInfo } from '../protocol';
import { extensionOf } from '../protocol';
import { h, icon, formatSize, type Child } from './dom';

export interface ViewContext {
  people: PersonInfo[];
  robotName: string;
  /** Sends a command link's text as the current person, in the current chat. */
  sendCommand(text: string): void;
  /** Presses a card's button as the current person. */
  pressButton(cardId: string, action: string): void;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Text with @-mentions of known names highlighted and web addresses as links. */
function richText(text: string, ctx: ViewContext, mentionIds: string[] = []): Child[] {
  // The robot may @ someone by staff id; DingTalk shows their name.
  let shown = text;
  for (const id of mentionIds) {
    const p = ctx.people.find((x) => x.staffId === id);
    if (p) shown = shown.split(`@${id}`).join(`@${p.nick}`);
  }
  const names = [ctx.robotName, '所有人', ...ctx.people.map((p) => p.nick)].sort((a, b) => b.length - a.length).map(escapeRe);
  const re = new RegExp(`(@(?:${names.join('|')}))|(https?:\\/\\/[^\\s<>"'）)]+)`, 'gu');
  const out: Child[] = [];
  let last = 0;
  for (const m of shown.matchAll(re)) {
    if (m.index > last) out.push(shown.slice(last, m.index));
    if (m[1]) out.push(h('span', { class: 'mention' }, m[1]));
    else out.push(webLink(m[2]!, [m[2]!]));
    last = m.index + m[0].length;
  }
  if (last < shown.length) out.push(shown.slice(last));
  return out;
}

function webLink(href: string, children: Child[]): HTMLAnchorElement {
  return h('a', { attrs: { href, target: '_blank', rel: 'noopener noreferrer' } }, ...children);
}

function commandLink(text: string, children: Child[], ctx: ViewContext): HTMLAnchorElement {
  return h(
    'a',
    {
      class: 'command-link',
      title: `点击发送 / tap to send: ${text}`,
      attrs: { href: '#', role: 'button', 'data-command': text },
      on: {
        click: (e) => {
          e.preventDefault();
          ctx.sendCommand(text);
        },
      },
    },
    ...children,
  );
}

function inlines(nodes: Inline[], ctx: ViewContext, mentionIds: string[]): Child[] {
  return nodes.map((n): Child => {
    switch (n.t) {
      case 'text':
        return h('span', {}, ...richText(n.v, ctx, mentionIds));
      case 'br':
        return h('br');
      case 'strong':
        return h('strong', {}, ...inlines(n.c, ctx, mentionIds));
      case 'em':
        return h('em', {}, ...inlines(n.c, ctx, mentionIds));
      case 'code':
        return h('code', {}, n.v);
      case 'image':
        return linkKind(n.src) === 'web' || n.src.startsWith('/files/')
          ? h('img', { class: 'md-image', attrs: { src: n.src, alt: n.alt, loading: 'lazy' } })
          : `[${n.alt || '图片'}]`;
      case 'link': {
        const kind = linkKind(n.href);
        const children = inlines(n.c, ctx, mentionIds);
        if (kind === 'command') return commandLink(commandOf(n.href)!, children, ctx);
        if (kind === 'web') return webLink(n.href, children);
        return h('span', {}, ...children);
      }
    }
  });
}

function blocks(nodes: Block[], ctx: ViewContext, mentionIds: string[]): Child[] {
  return nodes.map((b): Child => {
    switch (b.t) {
      case 'heading':
        return h(`h${Math.min(6, Math.max(1, b.level))}` as 'h1', { class: 'md-h' }, ...inlines(b.c, ctx, mentionIds));
      case 'para':
        return h('p', {}, ...inlines(b.c, ctx, mentionIds));
      case 'quote':
        return h('blockquote', {}, ...blocks(b.c, ctx, mentionIds));
      case 'code':
        return h('pre', {}, h('code', {}, b.v));
      case 'hr':
        return h('hr');
      case 'list': {
        const items = b.items.map((item) => h('li', {}, ...inlines(item, ctx, mentionIds)));
        return b.ordered ? h('ol', { attrs: b.start !== 1 ? { start: String(b.start) } : {} }, ...items) : h('ul', {}, ...items);
      }
    }
  });
}

export function markdownView(text: string, ctx: ViewContext, mentionIds: string[] = []): HTMLElement {
  return h('div', { class: 'md' }, ...blocks(parseMarkdown(text), ctx, mentionIds));
}

function button(b: ActionButtonView, ctx: ViewContext): HTMLElement {
  const command = commandOf(b.url);
  if (command !== undefined) {
    return h(
      'button',
      {
        class: 'card-button',
        title: `点击发送 / tap to send: ${command}`,
        attrs: { type: 'button', 'data-command': command },
        on: { click: () => ctx.sendCommand(command) },
      },
      b.title,
    );
  }
  if (linkKind(b.url) === 'web') return h('a', { class: 'card-button', attrs: { href: b.url, target: '_blank', rel: 'noopener noreferrer' } }, b.title);
  return h('span', { class: 'card-button disabled' }, b.title);
}

/** A button of a card with buttons: a callback, a command link, or nothing to do. */
function cardButton(cardId: string, b: CardButtonView, ctx: ViewContext): HTMLElement {
  const color = `card-button${b.color ? ` ${b.color}` : ''}`;
  if (b.action !== undefined) {
    const action = b.action;
    return h('button', { class: color, attrs: { type: 'button', 'data-action': action }, on: { click: () => ctx.pressButton(cardId, action) } }, b.text);
  }
  return button({ title: b.text, url: b.url ?? '' }, ctx);
}

const FILE_COLORS: Record<string, string> = {
  pdf: 'red',
  doc: 'blue',
  docx: 'blue',
  xls: 'green',
  xlsx: 'green',
  ppt: 'orange',
  pptx: 'orange',
  zip: 'purple',
  rar: 'purple',
};

function fileCard(body: Extract<MessageBody, { type: 'file' }>): HTMLElement {
  const ext = (body.fileType || extensionOf(body.name) || 'file').toLowerCase();
  return h(
    'div',
    { class: 'file-card' },
    h('div', { class: `file-badge ${FILE_COLORS[ext] ?? 'gray'}` }, ext.slice(0, 4).toUpperCase()),
    h('div', { class: 'file-info' }, h('div', { class: 'file-name', title: body.name }, body.name), h('div', { class: 'file-size' }, formatSize(body.size))),
    h('a', { class: 'file-download', title: '下载 / Download', attrs: { href: `${body.href}?download=1`, download: body.name } }, icon('download', 18), '下载'),
  );
}

/** The bubble (or card) for a message body. */
export function bodyView(m: ChatMessage, ctx: ViewContext): HTMLElement {
  const body = m.body;
  switch (body.type) {
    case 'text': {
      const text = h('div', { class: 'bubble text' }, ...richText(body.text, ctx, m.mentions));
      // A text message whose @ is not written in it: DingTalk adds the names at the end.
      const missing = m.from.kind === 'robot' ? m.mentions.filter((id) => !body.text.includes(`@${id}`)) : [];
      for (const id of missing) {
        const nick = ctx.people.find((p) => p.staffId === id)?.nick ?? id;
        text.append(' ', h('span', { class: 'mention' }, `@${nick}`));
      }
      if (m.mentionsAll && !body.text.includes('@所有人')) text.append(' ', h('span', { class: 'mention' }, '@所有人'));
      return text;
    }
    case 'markdown':
      return h('div', { class: 'bubble markdown' }, markdownView(body.text, ctx, m.mentions));
    case 'link':
      return h(
        'a',
        { class: 'card link-card', attrs: { href: linkKind(body.url) === 'web' ? body.url : '#', target: '_blank', rel: 'noopener noreferrer' } },
        h('div', { class: 'link-title' }, body.title),
        h(
          'div',
          { class: 'link-body' },
          h('div', { class: 'link-text' }, body.text),
          body.picUrl && linkKind(body.picUrl) === 'web'
            ? h('img', { class: 'link-pic', attrs: { src: body.picUrl, alt: '' } })
            : h('div', { class: 'link-pic placeholder' }, icon('external', 22)),
        ),
        h('div', { class: 'card-foot' }, '链接 · Link'),
      );
    case 'actionCard':
      return h(
        'div',
        { class: 'card action-card' },
        h('div', { class: 'card-body' }, markdownView(body.text, ctx, m.mentions)),
        h('div', { class: `card-buttons ${body.horizontal ? 'horizontal' : 'vertical'}` }, ...body.buttons.map((b) => button(b, ctx))),
      );
    case 'buttonCard':
      return h(
        'div',
        { class: 'card button-card', attrs: { 'data-card': body.cardId } },
        body.title ? h('div', { class: 'card-title' }, body.title) : null,
        h('div', { class: 'card-body' }, markdownView(body.markdown, ctx, m.mentions)),
        body.note ? h('div', { class: 'card-note', attrs: { role: 'status' } }, body.note) : null,
        body.buttons.length ? h('div', { class: 'card-buttons horizontal' }, ...body.buttons.map((b) => cardButton(body.cardId, b, ctx))) : null,
      );
    case 'feedCard':
      return h(
        'div',
        { class: 'card feed-card' },
        ...body.links.map((l) =>
          h(
            'a',
            { class: 'feed-item', attrs: { href: linkKind(l.url) === 'web' ? l.url : '#', target: '_blank', rel: 'noopener noreferrer' } },
            h('span', { class: 'feed-title' }, l.title),
            l.picUrl && linkKind(l.picUrl) === 'web' ? h('img', { class: 'feed-pic', attrs: { src: l.picUrl, alt: '' } }) : null,
          ),
        ),
      );
    case 'image':
      return h(
        'div',
        { class: 'image-message' },
        h(
          'a',
          { class: 'image-open', title: '查看原图 / open', attrs: { href: body.src, target: '_blank', rel: 'noopener noreferrer' } },
          h('img', { attrs: { src: body.src, alt: body.name || '图片', loading: 'lazy' } }),
        ),
        // Only the sandbox's own files can be saved under their name (a foreign URL opens instead).
        body.src.startsWith('/files/')
          ? h(
              'a',
              { class: 'image-download', title: '下载 / Download', attrs: { href: `${body.src}?download=1`, download: body.name || 'image' } },
              icon('download', 14),
              '下载',
            )
          : null,
      );
    case 'file':
      return fileCard(body);
    case 'card':
      return aiCard(body, ctx);
    case 'unsupported':
      return h('div', { class: 'bubble unsupported' }, `[暂不支持的消息 / unsupported] ${body.what}`);
  }
}

const CARD_STATUS: Record<Extract<MessageBody, { type: 'card' }>['status'], string> = {
  processing: '思考中… / Thinking…',
  inputting: '输入中… / Typing…',
  finished: 'AI 生成 / AI generated',
  failed: '出错了 / Failed',
};

const BLOCKS = new Set(['P', 'LI', 'UL', 'OL', 'BLOCKQUOTE', 'DIV', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6']);

/** The typing cursor at the end of the text, inside its last paragraph or list item. */
function withCursor(content: HTMLElement): HTMLElement {
  let at: Element = content;
  while (at.lastElementChild && BLOCKS.has(at.lastElementChild.tagName)) at = at.lastElementChild;
  at.append(h('span', { class: 'ai-cursor', attrs: { 'aria-hidden': 'true' } }));
  return content;
}

/** An AI card: a title, the Markdown body growing while it streams (with a cursor), its state at the foot. */
function aiCard(body: Extract<MessageBody, { type: 'card' }>, ctx: ViewContext): HTMLElement {
  const live = body.status === 'processing' || body.status === 'inputting';
  const content = body.blank
    ? h('div', { class: 'ai-card-blank' }, '（空白：内容超出钉钉卡片的长度 / blank: too long for a DingTalk card）')
    : markdownView(body.text, ctx, []);
  return h(
    'div',
    { class: `card ai-card ${body.status}`, attrs: { 'data-card-status': body.status } },
    body.title ? h('div', { class: 'ai-card-title' }, body.title) : null,
    h('div', { class: 'card-body' }, live ? withCursor(content) : content),
    h('div', { class: 'card-foot' }, live ? h('span', { class: 'ai-spinner', attrs: { 'aria-hidden': 'true' } }) : null, CARD_STATUS[body.status]),
  );
}

/** One line for the chat list. */
export function previewOf(m: ChatMessage, ctx: ViewContext, plain: (md: string) => string): string {
  const b = m.body;
  const who = m.from.kind === 'robot' ? ctx.robotName : (ctx.people.find((p) => p.staffId === (m.from as { staffId: string }).staffId)?.nick ?? '');
  const what = (() => {
    switch (b.type) {
      case 'text':
        return b.text;
      case 'markdown':
      case 'actionCard':
        return b.title || plain(b.text);
      case 'buttonCard':
        return `[卡片] ${b.title || plain(b.markdown)}`;
      case 'link':
        return `[链接] ${b.title}`;
      case 'feedCard':
        return `[链接] ${b.links[0]?.title ?? ''}`;
      case 'image':
        return '[图片]';
      case 'file':
        return `[文件] ${b.name}`;
      case 'card':
        return `[卡片] ${b.title || plain(b.text)}`;
      case 'unsupported':
        return '[消息]';
    }
  })();
  return `${who}: ${what}`;
}
