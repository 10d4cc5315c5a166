/**
 * What the engine needs from CCCC, as narrow interfaces. The real implementations wrap the
 * daemon client and CCCC's group files; keeping the engine behind these seams lets one
 * DingTalk robot serve several CCCC groups later (a chat subscribes to a group) without
 * any "the group" singleton below the bridge.
 */
import type { Readable } from 'node:stream';
import type { BlobAttachment } from '../cccc/blobs/store';

export interface SubscriberFlags {
  subscribed: boolean;
  verbose: boolean;
  paused: boolean;
  chatTitle?: string;
}

/** The attachment record CCCC's `send` takes: a file in the group's blob store. */
export type Attachment = BlobAttachment;

export interface SendToGroup {
  /** The DingTalk message this came from (for the "thinking" reaction). */
  msgId: string;
  text: string;
  to: string[];
  attachments: Attachment[];
  clientId: string;
  sourceUserName: string;
  sourceUserId: string;
  mentionUserIds: string[];
  /** The agent's question (ledger event id) this answers; CCCC closes the request then. */
  replyTo?: string;
}

export interface ActorInfo {
  id: string;
  title: string;
  role: 'foreman' | 'peer';
  running: boolean;
  enabled: boolean;
  runtime?: string;
}

export interface GroupInfo {
  groupId: string;
  title: string;
  state: string;
  running: boolean;
}

export interface GroupContextSummary {
  objective?: string;
  focus?: string;
  tasks: { title: string; status?: string; assignee?: string }[];
  waitingOnUser: string[];
}

/** Operations on one CCCC group (through the daemon). Errors are BridgeErrors. */
export interface GroupPort {
  readonly groupId: string;
  /** Resolves to the id of the ledger event the message became. */
  send(message: SendToGroup): Promise<{ eventId: string; replayed: boolean }>;
  info(): Promise<GroupInfo>;
  actors(): Promise<ActorInfo[]>;
  context(): Promise<GroupContextSummary>;
  start(): Promise<string[]>;
  stop(): Promise<string[]>;
  /** Approves a pending /subscribe: authorizes and subscribes the chat. */
  bind(key: string): Promise<{ chatId: string }>;
  reject(key: string): Promise<void>;
  /** Unsubscribes and revokes the chat's authorization. */
  revoke(chatId: string): Promise<void>;
}

export interface PendingRequest {
  key: string;
  chatId: string;
  createdAt: number;
  expiresAt: number;
  /** The chat's request that was still open, returned again instead of a new one. */
  reused?: boolean;
}

/** CCCC's IM state files for one group, shared with its Web UI and CLI. */
export interface ImStatePort {
  isAuthorized(chatId: string): Promise<boolean>;
  createPendingKey(chatId: string): Promise<PendingRequest>;
  listPending(): Promise<PendingRequest[]>;
  subscriber(chatId: string): Promise<SubscriberFlags | undefined>;
  subscribers(): Promise<Map<string, SubscriberFlags>>;
  updateSubscriber(chatId: string, patch: Partial<SubscriberFlags>): Promise<SubscriberFlags>;
}

/** CCCC's attachment store for one group. */
export interface BlobPort {
  store(input: Readable, file: { fileName: string; mimeType?: string; maxBytes: number }): Promise<Attachment>;
  /** Absolute path of an attachment an agent wrote, or undefined when it is outside the group. */
  resolve(path: string): Promise<string | undefined>;
}
