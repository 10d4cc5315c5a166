/**
 * DingTalk's Markdown subset, parsed into a small tree the page turns into DOM nodes (never
 * HTML strings): headings, quotes, bold, italic, links, images, ordered and unordered lists,
 * inline code and fenced code, rules. Single newlines are line breaks, as the DingTalk client
 * shows them. Anything else stays plain text. No DOM or Node here: the page and the tests use it.
 */

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

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*(\d{1,9})[.)]\s+(.*)$/;
const FENCE = /^\s*(```|~~~)/;
const QUOTE = /^\s*>\s?(.*)$/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;

export function parseMarkdown(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i += 1;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      i += 1;
      while (i < lines.length && !lines[i]!.trim().startsWith(fence[1]!)) body.push(lines[i++]!);
      i += 1;
      blocks.push({ t: 'code', v: body.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ t: 'heading', level: heading[1]!.length, c: parseInline(heading[2]!) });
      i += 1;
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ t: 'hr' });
      i += 1;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i]!)) body.push(QUOTE.exec(lines[i++]!)![1]!);
      blocks.push({ t: 'quote', c: parseMarkdown(body.join('\n')) });
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = NUMBERED.exec(line);
    if (bullet || numbered) {
      const ordered = !bullet;
      const re = ordered ? NUMBERED : BULLET;
      const items: Inline[][] = [];
      while (i < lines.length && re.test(lines[i]!)) {
        const m = re.exec(lines[i++]!)!;
        items.push(parseInline(ordered ? m[2]! : m[1]!));
      }
      blocks.push({ t: 'list', ordered, start: numbered ? Number(numbered[1]) : 1, items });
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && !startsBlock(lines[i]!)) para.push(lines[i++]!);
    const c: Inline[] = [];
    para.forEach((l, n) => {
      if (n > 0) c.push({ t: 'br' });
      c.push(...parseInline(l.trim()));
    });
    blocks.push({ t: 'para', c });
  }
  return blocks;
}

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || QUOTE.test(line) || BULLET.test(line) || NUMBERED.test(line) || RULE.test(line);
}

interface Rule {
  re: RegExp;
  make: (m: RegExpExecArray) => Inline;
}

const INLINE_RULES: Rule[] = [
  { re: /`([^`\n]+)`/, make: (m) => ({ t: 'code', v: m[1]! }) },
  { re: /!\[([^\]\n]*)\]\(([^)\s]+)\)/, make: (m) => ({ t: 'image', alt: m[1]!, src: m[2]! }) },
  { re: /\[([^\]\n]+)\]\(([^)\s]+)\)/, make: (m) => ({ t: 'link', href: m[2]!, c: parseInline(m[1]!) }) },
  { re: /\*\*(?=\S)([^\n]*?\S)\*\*/, make: (m) => ({ t: 'strong', c: parseInline(m[1]!) }) },
  { re: /__(?=\S)([^\n]*?\S)__/, make: (m) => ({ t: 'strong', c: parseInline(m[1]!) }) },
  { re: /\*(?=\S)([^*\n]*?\S)\*/, make: (m) => ({ t: 'em', c: parseInline(m[1]!) }) },
  { re: /(?<![\p{L}\p{N}])_(?=\S)([^_\n]*?\S)_(?![\p{L}\p{N}])/u, make: (m) => ({ t: 'em', c: parseInline(m[1]!) }) },
];

/** Emphasis, links, images and code in one line; whatever matches first wins. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let rest = text;
  while (rest.length > 0) {
    let best: { m: RegExpExecArray; rule: Rule } | undefined;
    for (const rule of INLINE_RULES) {
      const m = rule.re.exec(rest);
      if (m && (!best || m.index < best.m.index)) best = { m, rule };
    }
    if (!best) {
      pushText(out, rest);
      break;
    }
    if (best.m.index > 0) pushText(out, rest.slice(0, best.m.index));
    out.push(best.rule.make(best.m));
    rest = rest.slice(best.m.index + best.m[0].length);
  }
  return out;
}

function pushText(out: Inline[], v: string): void {
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
