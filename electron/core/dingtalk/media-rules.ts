/** What DingTalk's media upload accepts (docs/dingtalk-protocol.md §5), checked before spending a request. */
import { extname } from 'node:path';
import type { Problem } from '../errors';

export type MediaType = 'image' | 'voice' | 'video' | 'file';

const MB = 1024 * 1024;

export const MEDIA_RULES: Record<MediaType, { maxBytes: number; extensions: readonly string[] }> = {
  image: { maxBytes: 20 * MB, extensions: ['jpg', 'jpeg', 'gif', 'png', 'bmp'] },
  voice: { maxBytes: 2 * MB, extensions: ['amr', 'mp3', 'wav'] },
  video: { maxBytes: 20 * MB, extensions: ['mp4'] },
  file: { maxBytes: 20 * MB, extensions: ['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'zip', 'pdf', 'rar'] },
};

export function extensionOf(fileName: string): string {
  return extname(fileName).slice(1).toLowerCase();
}

/** The upload type a file name maps to, or undefined when DingTalk accepts it under none. */
export function mediaTypeFor(fileName: string): MediaType | undefined {
  const ext = extensionOf(fileName);
  return (Object.keys(MEDIA_RULES) as MediaType[]).find((t) => MEDIA_RULES[t].extensions.includes(ext));
}

/** A problem if DingTalk would refuse this upload; undefined if it is acceptable. */
export function checkUpload(type: MediaType, fileName: string, bytes: number): Problem | undefined {
  const rule = MEDIA_RULES[type];
  const ext = extensionOf(fileName);
  if (!rule.extensions.includes(ext)) {
    return {
      code: 'dingtalk.unsupported_media',
      message: `DingTalk cannot send .${ext || '(none)'} files as ${type}`,
      hint: `Allowed for ${type}: ${rule.extensions.join(', ')}`,
      retryable: false,
      details: { type, fileName },
    };
  }
  if (bytes > rule.maxBytes) {
    return {
      code: 'dingtalk.media_too_large',
      message: `${fileName} is too large for DingTalk (${(bytes / MB).toFixed(1)} MB, limit ${rule.maxBytes / MB} MB for ${type})`,
      retryable: false,
      details: { type, fileName, bytes },
    };
  }
  if (bytes === 0) return { code: 'dingtalk.media_empty', message: `${fileName} is empty`, retryable: false };
  return undefined;
}
