/**
 * What the bridge knows about each DingTalk chat that is not in CCCC's files: how to reach it
 * (group vs single chat and, for single chats, whose staff id), its per-chat access policy,
 * and the people who have written to the robot (the Settings allowlist picker offers them).
 *
 * The bridge's only record of how to reach a chat, so a copy is kept (`chats.json.bak`). A file
 * damaged while the bridge was stopped is moved aside and rebuilt: from the copy, then every chat
 * subscribed in CCCC's IM state that is still missing, addressed from the audit trail (which
 * records each chat's type and, for single chats, the person). What cannot be rebuilt is listed
 * in `unreachable` for the bridge to report.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { AuditRecord } from '../log/audit';
import { silentLogger, type Logger } from '../log/logger';
import { JsonFileStore, type StateDamage } from '../util/json-store';
import { dict } from '../util/own';
import { accessPolicySchema, type AccessPolicy } from './access';

const personSchema = z.object({ staffId: z.string(), nick: z.string(), isAdmin: z.boolean(), lastSeen: z.number() });

const chatSchema = z.object({
  conversationType: z.enum(['single', 'group']),
  title: z.string().optional(),
  /** Single chats: who the robot talks to. */
  userId: z.string().optional(),
  access: accessPolicySchema.optional(),
  lastMessageAt: z.number(),
});

// Conversation and staff ids index these: no prototype, so a chat named `constructor` is no entry (util/own).
const directorySchema = z.object({
  chats: z.record(z.string(), chatSchema).default({}).transform(dict),
  people: z.record(z.string(), personSchema).default({}).transform(dict),
});

export type ChatRecord = z.infer<typeof chatSchema>;
export type Person = z.infer<typeof personSchema>;

export interface ChatSighting {
  conversationId: string;
  conversationType: 'single' | 'group';
  title?: string;
  sender: { staffId?: string; nick: string; isAdmin: boolean };
  at: number;
}

/** Where a damaged directory is rebuilt from. */
export interface ChatSources {
  /** Chats subscribed in CCCC's IM state, with their titles. */
  subscribed(): Promise<Map<string, { chatTitle?: string }>>;
  /** Audit records of one chat, newest first. */
  audit(chatId: string): Promise<AuditRecord[]>;
}

/** What happened to a damaged chat directory. */
export interface DirectoryRebuild {
  why: string;
  aside: string;
  /** Chats restored from the copy or rebuilt from CCCC's IM state and the audit trail. */
  restored: number;
  /** Subscribed chats that could not be addressed: they get messages again once they write. */
  unreachable: { chatId: string; title?: string }[];
}

type Directory = z.infer<typeof directorySchema>;

const MAX_PEOPLE = 500;
const STALE_AFTER_MS = 60_000;

export class ChatDirectory {
  private readonly store: JsonFileStore<typeof directorySchema>;
  private rebuildNote: DirectoryRebuild | undefined;

  private readonly sources: ChatSources | undefined;

  /** `readOnly`: a view of a bridge that is not running here (see JsonFileStoreOptions.readOnly). */
  constructor(stateDir: string, options: { log?: Logger; sources?: ChatSources; readOnly?: boolean } = {}) {
    const log = options.log ?? silentLogger;
    this.sources = options.sources;
    this.store = new JsonFileStore(
      join(stateDir, 'chats.json'),
      directorySchema,
      () => ({ chats: dict(), people: dict() }),
      { log, keepCopy: true, ...(options.readOnly ? { readOnly: true } : {}) },
      (damage) => this.rebuild(damage, log),
    );
  }

  /** Loads the directory now (rebuilding it if damaged) and says what a rebuild could not restore. */
  async check(): Promise<DirectoryRebuild | undefined> {
    await this.store.get();
    return this.rebuildNote;
  }

  private async rebuild(damage: StateDamage<Directory>, log: Logger): Promise<Directory> {
    const doc: Directory = damage.copy ?? { chats: dict(), people: dict() };
    const unreachable: DirectoryRebuild['unreachable'] = [];
    let restored = Object.keys(doc.chats).length;
    const sources = this.sources;
    try {
      if (sources)
        for (const [chatId, sub] of await sources.subscribed()) {
          if (Object.hasOwn(doc.chats, chatId)) continue;
          const chat = chatFromAudit(await sources.audit(chatId));
          if (chat) {
            doc.chats[chatId] = { ...chat, ...(sub.chatTitle ? { title: sub.chatTitle } : {}) };
            restored += 1;
          } else unreachable.push({ chatId, ...(sub.chatTitle ? { title: sub.chatTitle } : {}) });
        }
    } catch (err) {
      log.warn("Could not read CCCC's IM state to rebuild the chat directory", { error: err });
    }
    this.rebuildNote = { why: damage.why, aside: damage.aside, restored, unreachable };
    log.warn('Rebuilt the chat directory', { restored, unreachable: unreachable.length, fromCopy: damage.copy !== undefined });
    return doc;
  }

  /**
   * Records a chat and its sender from an inbound message. Skips the (fsynced) write when nothing
   * new was learned and the times it would move are less than a minute old: this runs on every
   * message, on the path to CCCC.
   */
  async saw(s: ChatSighting): Promise<void> {
    const doc = await this.store.get();
    const chat = doc.chats[s.conversationId];
    const person = s.sender.staffId ? doc.people[s.sender.staffId] : undefined;
    const unchanged =
      chat !== undefined &&
      chat.conversationType === s.conversationType &&
      (!s.title || chat.title === s.title) &&
      (s.conversationType !== 'single' || !s.sender.staffId || chat.userId === s.sender.staffId) &&
      s.at - chat.lastMessageAt < STALE_AFTER_MS &&
      (!s.sender.staffId ||
        (person !== undefined && person.nick === s.sender.nick && person.isAdmin === s.sender.isAdmin && s.at - person.lastSeen < STALE_AFTER_MS));
    if (unchanged) return;
    await this.store.update((doc) => {
      const prev = doc.chats[s.conversationId];
      const chat: ChatRecord = { ...prev, conversationType: s.conversationType, lastMessageAt: s.at };
      if (s.title) chat.title = s.title;
      if (s.conversationType === 'single' && s.sender.staffId) chat.userId = s.sender.staffId;
      doc.chats[s.conversationId] = chat;
      if (s.sender.staffId) {
        doc.people[s.sender.staffId] = { staffId: s.sender.staffId, nick: s.sender.nick, isAdmin: s.sender.isAdmin, lastSeen: s.at };
        const ids = Object.keys(doc.people);
        if (ids.length > MAX_PEOPLE) {
          const seen = (id: string) => doc.people[id]?.lastSeen ?? 0;
          const oldest = ids.sort((a, b) => seen(a) - seen(b)).slice(0, ids.length - MAX_PEOPLE);
          for (const id of oldest) delete doc.people[id];
        }
      }
    });
  }

  async chat(conversationId: string): Promise<ChatRecord | undefined> {
    return (await this.store.get()).chats[conversationId];
  }

  async chats(): Promise<Record<string, ChatRecord>> {
    return (await this.store.get()).chats;
  }

  async people(): Promise<Person[]> {
    return Object.values((await this.store.get()).people).sort((a, b) => b.lastSeen - a.lastSeen);
  }

  async setAccess(conversationId: string, access: AccessPolicy | undefined): Promise<void> {
    await this.store.update((doc) => {
      const chat = doc.chats[conversationId];
      if (!chat) return;
      if (access) chat.access = access;
      else delete chat.access;
    });
  }
}

/** A chat's address as the audit trail knows it: its type, and for single chats the person. */
function chatFromAudit(records: readonly AuditRecord[]): ChatRecord | undefined {
  const last = records[0];
  if (!last) return undefined;
  const lastMessageAt = last.ts;
  if (last.chatType === 'group') return { conversationType: 'group', lastMessageAt };
  for (const r of records) {
    const userId = r.direction === 'in' ? r.sender?.id : r.recipients?.[0];
    if (userId && !userId.startsWith('$:')) return { conversationType: 'single', userId, lastMessageAt };
  }
  return undefined;
}
