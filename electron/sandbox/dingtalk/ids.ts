/** Identifiers shaped like DingTalk's own. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

let counter = 0;

export function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function requestId(): string {
  return randomUUID().toUpperCase();
}

/** Stream frame ids look like `212ca9d7_974_1898c159aa6_1783b`. */
export function frameMessageId(): string {
  counter = (counter + 1) % 0x100000;
  return `${hex(4)}_${Math.floor(Math.random() * 1000)}_${Date.now().toString(16)}_${counter.toString(16)}`;
}

/** Robot msgIds look like `msgXXXXXXXXXXXXXXXXXXXXXXXX==`. */
export function robotMsgId(): string {
  return `msg${randomBytes(16).toString('base64').replace(/[+/=]/g, '').slice(0, 22)}==`;
}

/** Stable `cid…==` for a seed; conversation ids start with `cid` for single chats too. */
export function conversationId(seed: string): string {
  return `cid${createHash('sha256').update(seed).digest('base64').replace(/[+/=]/g, '').slice(0, 22)}==`;
}

export function staffLikeId(seed: string): string {
  return `$:LWCP_v1:$${createHash('sha256').update(seed).digest('base64').replace(/[+/=]/g, '').slice(0, 24)}`;
}

/** Legacy media ids look like `@lADPDeC2uG3BUtzNAyTNBLA`. */
export function mediaId(): string {
  return `@lADP${randomBytes(15).toString('base64').replace(/[+/=]/g, 'x')}`;
}
