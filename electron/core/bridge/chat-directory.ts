/**
 * What the bridge knows about each DingTalk chat that is not in CCCC's files: how to reach it
 * (group vs single chat and, for single chats, whose staff id), its per-chat access policy,
 * and the people who have written to the robot (the Settings allowlist picker offers them).
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../log/logger';
import { JsonFileStore } from '../util/json-store';
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

const MAX_PEOPLE = 500;
const STALE_AFTER_MS = 60_000;

export class ChatDirectory {
  private readonly store: JsonFileStore<typeof directorySchema>;

  constructor(stateDir: string, log?: Logger) {
    this.store = new JsonFileStore(join(stateDir, 'chats.json'), directorySchema, () => ({ chats: dict(), people: dict() }), { log });
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
      (!s.sender.staffId || (person !== undefined && person.nick === s.sender.nick && person.isAdmin === s.sender.isAdmin && s.at - person.lastSeen < STALE_AFTER_MS));
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
          const oldest = ids.sort((a, b) => doc.people[a]!.lastSeen - doc.people[b]!.lastSeen).slice(0, ids.length - MAX_PEOPLE);
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
