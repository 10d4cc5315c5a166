/**
 * DingTalk renders a Markdown subset: headings, emphasis, links, images, lists, quotes and
 * simple code; tables do not render on mobile (docs/dingtalk-protocol.md §4). We keep what works and
 * rewrite what does not.
 */

const MARKDOWN_HINTS: RegExp[] = [
  /^#{1,6}\s/m, // headings
  /^```/m, // fences
  /\*\*[^*\n]+\*\*/, // bold
  /^\s*[-*+]\s+\S/m, // bullets
  /^\s*\d+\.\s+\S/m, // numbered
  /\[[^\]\n]+\]\([^)\s]+\)/, // links
  /^>\s/m, // quotes
  /^\|.*\|\s*$/m, // tables
  /`[^`\n]+`/, // inline code
];

export function looksLikeMarkdown(text: string): boolean {
  return MARKDOWN_HINTS.some((re) => re.test(text));
}

const TABLE_ROW = /^\s*\|(.*)\|\s*$/;
const TABLE_RULE = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

function cells(line: string): string[] {
  return (TABLE_ROW.exec(line)?.[1] ?? '').split('|').map((c) => c.trim());
}

/** Rewrites Markdown tables as lists ("**Header**: value" per cell), outside code fences. */
export function toDingTalkMarkdown(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const next = lines[i + 1];
    if (!inFence && TABLE_ROW.test(line) && next !== undefined && TABLE_RULE.test(next)) {
      const header = cells(line);
      i += 1;
      while (i + 1 < lines.length && TABLE_ROW.test(lines[i + 1] ?? '')) {
        i += 1;
        const row = cells(lines[i] ?? '');
        out.push(`- ${row.map((c, j) => (header[j] ? `**${header[j]}**: ${c}` : c)).join(' · ')}`);
      }
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

/** A short plain preview for notification titles. */
export function previewTitle(text: string, max = 40): string {
  const first =
    text
      .split('\n')
      .map((l) => l.replace(/[#>*`_[\]]/g, '').trim())
      .find((l) => l.length > 0) ?? '';
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
