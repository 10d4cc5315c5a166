/**
 * DingTalk's Markdown subset, parsed (by `marked`'s lexer, CommonMark + GFM) into a small tree
 * the page turns into DOM nodes — never HTML strings, so raw HTML in a message stays text and
 * nothing needs sanitizing: headings, quotes, bold, italic, links, images, ordered and unordered
 * lists, inline code and fenced code, rules. Single newlines are line breaks, as the DingTalk
 * client shows them. Anything else (tables, strikethrough, HTML) stays plain text. No DOM or
 * Node here: the page and the tests use it.
 */
import { Lexer, type MarkedOptions, type Token, type Tokens } from 'marked';
export type Inline =
  | { t: 'text'; v: string }
  | { t: 'strong'; c: Inline[] }
  | { t: 'em'; c: Inline[] }
  | { t: 'code'; v: string }
  | { t: 'link'; href: string; c: Inline[] }
  | { t: 'image'; src: string; alt: string }
  | { t: 'br' };

export type Block =
  | { t: 'heading'; level: number; c: Inline[] }
  | { t: 'para'; c: Inline[] }
  | { t: 'quote'; c: Block[] }
  | { t: 'list'; ordered: boolean; start: number; items: Inline[][] }
  | { t: 'code'; v: string }
  | { t: 'hr' };

// breaks: a single newline is a line break, as in the DingTalk client.
const OPTIONS: MarkedOptions = { gfm: true, breaks: true };

export function parseMarkdown(text: string): Block[] {
  return toBlocks(new Lexer(OPTIONS).lex(text));
}

/** Emphasis, links, images and code in one line. */
export function parseInline(text: string): Inline[] {
  return toInlines(Lexer.lexInline(text, OPTIONS));
}

function toBlocks(tokens: Token[]): Block[] {
  const out: Block[] = [];
  for (const token of tokens) {
    const t = token as Tokens.Generic;
    switch (token.type) {
      case 'space':
        break;
      case 'heading':
        out.push({ t: 'heading', level: (token as Tokens.Heading).depth, c: toInlines(t.tokens ?? []) });
        break;
      case 'paragraph':
      case 'text':
        out.push({ t: 'para', c: t.tokens ? toInlines(t.tokens) : textLines(token.raw.trim()) });
        break;
      case 'blockquote':
        out.push({ t: 'quote', c: toBlocks(t.tokens ?? []) });
        break;
      case 'list': {
        const list = token as Tokens.List;
        out.push({
          t: 'list',
          ordered: list.ordered,
          start: list.ordered && typeof list.start === 'number' ? list.start : 1,
          items: list.items.map(itemInlines),
        });
        break;
      }
      case 'code':
        out.push({ t: 'code', v: (token as Tokens.Code).text });
        break;
      case 'hr':
        out.push({ t: 'hr' });
        break;
      default:
        // Tables, HTML blocks and the like: shown as the text that was sent.
        out.push({ t: 'para', c: textLines(token.raw.trim()) });
    }
  }
  return out;
}

/** A list item's content on one line of inlines (nested blocks are flattened, with line breaks). */
function itemInlines(item: Tokens.ListItem): Inline[] {
  const out: Inline[] = [];
  for (const block of toBlocks(item.tokens)) {
    if (out.length > 0) out.push({ t: 'br' });
    if (block.t === 'para' || block.t === 'heading') out.push(...block.c);
    else if (block.t === 'code') out.push({ t: 'code', v: block.v });
    else if (block.t === 'list') block.items.forEach((c, n) => out.push(...(n > 0 ? [{ t: 'br' } as Inline] : []), ...c));
    else if (block.t === 'quote') out.push(...block.c.flatMap((b) => (b.t === 'para' ? b.c : [])));
  }
  return out;
}

function toInlines(tokens: Token[]): Inline[] {
  const out: Inline[] = [];
  for (const token of tokens) {
    const t = token as Tokens.Generic;
    switch (token.type) {
      case 'text':
        if (t.tokens) out.push(...toInlines(t.tokens));
        else pushText(out, (token as Tokens.Text).text);
        break;
      case 'escape':
        pushText(out, (token as Tokens.Escape).text);
        break;
      case 'br':
        out.push({ t: 'br' });
        break;
      case 'strong':
        out.push({ t: 'strong', c: toInlines(t.tokens ?? []) });
        break;
      case 'em':
        out.push({ t: 'em', c: toInlines(t.tokens ?? []) });
        break;
      case 'codespan':
        out.push({ t: 'code', v: (token as Tokens.Codespan).text });
        break;
      case 'link':
        out.push({ t: 'link', href: (token as Tokens.Link).href, c: toInlines(t.tokens ?? []) });
        break;
      case 'image':
        out.push({ t: 'image', src: (token as Tokens.Image).href, alt: (token as Tokens.Image).text });
        break;
      default:
        // HTML, strikethrough and the like: the text that was sent.
        pushText(out, token.raw);
    }
  }
  return out;
}

function textLines(text: string): Inline[] {
  const out: Inline[] = [];
  text.split('\n').forEach((line, n) => {
    if (n > 0) out.push({ t: 'br' });
    pushText(out, line);
  });
  return out;
}

function pushText(out: Inline[], v: string): void {
  if (v === '') return;
  const last = out[out.length - 1];
  if (last?.t === 'text') last.v += v;
  else out.push({ t: 'text', v });
}

/** Where a link may lead: the web, or a DingTalk command link. Anything else (javascript:, data:) is not a link. */
export function linkKind(href: string): 'web' | 'command' | 'none' {
  if (/^https?:\/\//i.test(href)) return 'web';
  if (commandOf(href) !== undefined) return 'command';
  return 'none';
}

/** The text a `dtmd://dingtalkclient/sendMessage?content=…` link sends when tapped. */
export function commandOf(href: string): string | undefined {
  const m = /^dtmd:\/\/dingtalkclient\/sendMessage\?(.*)$/i.exec(href);
  if (!m) return undefined;
  const content = new URLSearchParams(m[1]!).get('content');
  return content === null || content.trim() === '' ? undefined : content;
}

/** Plain text of a markdown string, for previews in the chat list. */
export function plainPreview(text: string): string {
  return text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '[图片]')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/[#>*_`]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
