/**
 * What CCCC's own DingTalk bridge remembers of the chats it met (`state/im_dingtalk_sessions.json`,
 * written by CCCC's `ports/im/adapters/dingtalk_session.py` and its Rust web runtime):
 * `{"conversations": {"<chat id>": {"chat_type": "p2p" | "group", "user_id", …}}}`. Read only,
 * to reach chats that CCCC's bridge authorized before this one ran. `user_id` is the sender's
 * staff id, or their DingTalk id when DingTalk sent no staff id (`$:…`: no use for OpenAPI).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export const DINGTALK_SESSIONS_FILE = 'im_dingtalk_sessions.json';

export interface CcccDingTalkChat {
  type?: 'single' | 'group';
  /** Single chats: the person's staff id. */
  staffId?: string;
}

const entrySchema = z.looseObject({ chat_type: z.unknown().optional(), user_id: z.unknown().optional() });
const fileSchema = z.looseObject({ conversations: z.record(z.string(), z.unknown()) });

function readEntry(raw: unknown): CcccDingTalkChat {
  const parsed = entrySchema.safeParse(raw);
  if (!parsed.success) return {};
  const type = String(parsed.data.chat_type ?? '')
    .trim()
    .toLowerCase();
  const userId = String(parsed.data.user_id ?? '').trim();
  const chat: CcccDingTalkChat = {};
  if (type === 'p2p') chat.type = 'single';
  else if (type === 'group') chat.type = 'group';
  if (userId && !userId.startsWith('$:')) chat.staffId = userId;
  return chat;
}

/** The chats CCCC's bridge met; empty when it never ran here (or its file cannot be read). */
export async function readCcccDingTalkChats(groupDir: string): Promise<Map<string, CcccDingTalkChat>> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(join(groupDir, 'state', DINGTALK_SESSIONS_FILE), 'utf8'));
  } catch {
    return new Map();
  }
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) return new Map();
  return new Map(Object.entries(parsed.data.conversations).map(([id, raw]) => [id.trim(), readEntry(raw)]));
}
