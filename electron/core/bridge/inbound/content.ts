/**
 * What an inbound message carries for the agents: its text, and the files to fetch from
 * DingTalk (pictures in rich text, files, voice, video).
 */
import { lookup } from 'mime-types';
import type { InboundMessage } from '../../dingtalk/inbound-message';

export interface IncomingFile {
  downloadCode: string;
  fileName: string;
  mimeType?: string;
}

export interface MessageContent {
  /** Text typed by the person (commands are parsed from it). */
  text: string;
  files: IncomingFile[];
  /** Set when DingTalk sent a type we cannot forward. */
  unsupported?: string;
}

function stamp(createAt: number): string {
  return new Date(createAt)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, '');
}

export function contentOf(m: InboundMessage): MessageContent {
  const c = m.content;
  const at = stamp(m.createAt);
  switch (c.type) {
    case 'text':
      return { text: c.text, files: [] };
    case 'richText':
      return {
        text: c.text,
        files: c.pictures.map((p, i) => ({ downloadCode: p.downloadCode, fileName: `image_${at}_${i + 1}.png`, mimeType: 'image/png' })),
      };
    case 'picture':
      return { text: '', files: [{ downloadCode: c.downloadCode, fileName: `image_${at}.png`, mimeType: 'image/png' }] };
    case 'file': {
      const mimeType = lookup(c.fileName);
      return { text: '', files: [{ downloadCode: c.downloadCode, fileName: c.fileName, ...(mimeType ? { mimeType } : {}) }] };
    }
    case 'audio':
      // Keep the speech recognition as the text so agents can read what was said.
      return { text: c.recognition ?? '', files: [{ downloadCode: c.downloadCode, fileName: `voice_${at}.amr`, mimeType: 'audio/amr' }] };
    case 'video':
      return {
        text: '',
        files: [{ downloadCode: c.downloadCode, fileName: `video_${at}.${c.videoType ?? 'mp4'}`, mimeType: `video/${c.videoType ?? 'mp4'}` }],
      };
    case 'unsupported':
      return { text: '', files: [], unsupported: c.msgtype };
  }
}

/** CCCC's convention when a file comes without a caption: `[file] name`. */
export function captionFor(text: string, files: { title: string; kind: string }[]): string {
  if (text.trim() !== '' || files.length === 0) return text;
  return files.map((f) => `[${f.kind === 'image' ? 'image' : 'file'}] ${f.title}`).join('\n');
}
