/**
 * A working group as the fake daemon keeps it: the group document in memory, mirrored to
 * `groups/<id>/group.yaml`, its ledger, and CCCC's rules for recipients and sends.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { CHAT_TEXT_INLINE_MAX_BYTES, chatTextSpill } from '../../core/cccc/ledger/chat-text';
import { isRecipientSelector, USER_RECIPIENT } from '../../core/cccc/recipients';
import { cccTimestamp, chatMessageData, LedgerWriter, makeEvent, type LedgerEvent } from './ledger';

export class OpError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface FakeActorInit {
  id: string;
  title?: string;
  runtime?: string;
  runner?: string;
  command?: string[];
  enabled?: boolean;
}

export interface FakeGroupInit {
  title?: string;
  /** Actors in order; the first is the foreman. */
  actors?: (string | FakeActorInit)[];
  /** Attach a project folder (needed by group_start, as in CCCC). Default true. */
  scope?: boolean;
  /** That folder; by default `<group dir>/scope`. */
  scopePath?: string;
  /** `messaging.default_send_to`: where a send without recipients goes. */
  defaultSendTo?: 'foreman' | 'broadcast';
  /** Whether the actors run; CCCC starts actors added to an active group, so default: when there are actors. */
  running?: boolean;
  /** The `im:` block of group.yaml. */
  im?: Record<string, unknown>;
  /**
   * Whether sends leave `runtime.delivery` evidence (CCCC's main branch) or not (the released
   * 0.4.35rc1). Default true.
   */
  deliveryEvents?: boolean;
  /** What `context_get` answers: the coordination brief and tasks (CCCC keeps them in the group's context files). */
  context?: FakeContext;
}

export interface FakeContext {
  objective?: string;
  focus?: string;
  tasks?: { id: string; title: string; status: 'planned' | 'active' | 'done' | 'archived'; assignee?: string }[];
}

export type ActorDoc = Record<string, unknown> & { id: string; title: string; enabled: boolean; runtime: string; runner: string };

/** CCCC looks this far back for an earlier send with the same (by, client_id). */
const DEDUP_WINDOW_LINES = 800;

/**
 * The end of a file holding at least `lines` line breaks (or all of it), read backwards: a
 * `send` looks at the ledger's tail only, and reading a long ledger whole made every send slower.
 */
async function readTail(file: string, lines: number): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let pos = (await fh.stat()).size;
    let breaks = 0;
    while (pos > 0 && breaks < lines) {
      const length = Math.min(pos, 256 * 1024);
      pos -= length;
      const chunk = Buffer.alloc(length);
      await fh.read(chunk, 0, length, pos);
      chunks.unshift(chunk);
      for (const byte of chunk) if (byte === 0x0a) breaks += 1;
    }
    // Cut at a line start: the first line may begin before what was read.
    const text = Buffer.concat(chunks);
    return (pos > 0 ? text.subarray(text.indexOf(0x0a) + 1) : text).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** CCCC names a scope by a hash of its folder (of its git remote, for repositories; not modelled). */
export function scopeKeyOf(folder: string): string {
  return `s_${createHash('sha256').update(path.resolve(folder), 'utf8').digest('hex').slice(0, 12)}`;
}

/** Blocks a new CCCC group carries in group.yaml besides identity, scopes and actors. */
const GROUP_DEFAULTS = {
  automation: {
    version: 1,
    rules: [
      {
        id: 'standup',
        enabled: false,
        scope: 'group',
        owner_actor_id: null,
        to: ['@foreman'],
        trigger: { kind: 'interval', every_seconds: 900 },
        action: { kind: 'notify', priority: 'normal', title: 'Stand-up reminder', snippet_ref: 'standup', message: '' },
      },
    ],
    snippets: {},
    snippet_overrides: {},
    actor_idle_timeout_seconds: 0,
    keepalive_delay_seconds: 0,
    silence_timeout_seconds: 0,
    help_nudge_interval_seconds: 0,
    help_nudge_min_messages: 0,
  },
  delivery: { min_interval_seconds: 0, mail_notice_after_seconds: 1800, reply_notice_after_seconds: 900 },
  web_model_browser_targets: {},
};

function actorDoc(init: FakeActorInit, now: string): ActorDoc {
  return {
    v: 1,
    id: init.id,
    title: init.title ?? '',
    command: init.command ?? [],
    env: {},
    default_scope_key: '',
    submit: 'enter',
    capability_autoload: [],
    capability_hidden: [],
    enabled: init.enabled ?? true,
    runner: init.runner ?? 'pty',
    runtime: init.runtime ?? 'custom',
    runtime_state_source: 'terminal',
    avatar_asset_path: '',
    profile_id: '',
    profile_scope: 'global',
    profile_owner: '',
    profile_revision_applied: 0,
    created_at: now,
    updated_at: now,
  };
}

export interface SendInput {
  text: string;
  by: string;
  to: string[];
  messageMode: string;
  attachments: unknown;
  clientId: string;
  replyTo?: string;
  quoteText?: string;
  sourcePlatform?: string;
  sourceUserName?: string;
  sourceUserId?: string;
  mentionUserIds?: string[];
  path?: string;
  /** The stream this message completes. */
  streamId?: string;
}

export class FakeGroup {
  readonly ledger: LedgerWriter;
  readonly doc: Record<string, unknown>;
  context: FakeContext = {};
  private readonly startedAt = new Map<string, number>();
  private readonly listeners = new Set<(event: LedgerEvent) => void>();
  /** See FakeGroupInit.deliveryEvents. */
  deliveryEvents = true;

  private constructor(
    readonly id: string,
    readonly dir: string,
    doc: Record<string, unknown>,
    /** The registry's timestamp (set at create and attach), which orders the `groups` list. */
    readonly registryUpdatedAt: string,
  ) {
    this.doc = doc;
    this.ledger = new LedgerWriter(dir);
  }

  static async create(groupsDir: string, init: FakeGroupInit): Promise<FakeGroup> {
    const id = `g_${randomBytes(6).toString('hex')}`;
    const dir = path.join(groupsDir, id);
    const now = cccTimestamp();
    const doc: Record<string, unknown> = { v: 1, group_id: id, title: init.title ?? 'Demo', topic: '', created_at: now, running: false, state: 'active' };
    if (init.scope ?? true) {
      const url = path.resolve(init.scopePath ?? path.join(dir, 'scope'));
      await mkdir(url, { recursive: true });
      const scopeKey = scopeKeyOf(url);
      doc['active_scope_key'] = scopeKey;
      doc['scopes'] = [{ scope_key: scopeKey, url, label: path.basename(url), git_remote: '' }];
    }
    doc['actors'] = (init.actors ?? []).map((a) => actorDoc(typeof a === 'string' ? { id: a } : a, now));
    if (init.defaultSendTo) doc['messaging'] = { default_send_to: init.defaultSendTo };
    if (init.im) doc['im'] = init.im;
    Object.assign(doc, structuredClone(GROUP_DEFAULTS), { updated_at: now });
    const group = new FakeGroup(id, dir, doc, now);
    group.deliveryEvents = init.deliveryEvents ?? true;
    if (init.context) group.context = structuredClone(init.context);
    await mkdir(path.join(dir, 'state'), { recursive: true });
    await group.ledger.append(makeEvent(id, 'group.create', 'user', { title: doc['title'], topic: '' }));
    if (init.running ?? group.actors.length > 0) group.setRunning(true);
    await group.save();
    return group;
  }

  get actors(): ActorDoc[] {
    return this.doc['actors'] as ActorDoc[];
  }

  get running(): boolean {
    return this.doc['running'] === true;
  }

  get scopeKey(): string {
    return typeof this.doc['active_scope_key'] === 'string' ? this.doc['active_scope_key'] : '';
  }

  actor(id: string): ActorDoc | undefined {
    return this.actors.find((a) => a.id === id);
  }

  /** Role is by position, independent of running state: the first actor is the foreman. */
  role(id: string): 'foreman' | 'peer' {
    return this.actors[0]?.id === id ? 'foreman' : 'peer';
  }

  actorRunning(a: ActorDoc): boolean {
    return this.running && a.enabled;
  }

  /** Starting enables every actor; stopping disables them (CCCC does the same). */
  setRunning(running: boolean): string[] {
    const now = cccTimestamp();
    const ids: string[] = [];
    for (const a of this.actors) {
      a.enabled = running;
      a['updated_at'] = now;
      ids.push(a.id);
      if (running) this.startedAt.set(a.id, Date.now());
    }
    this.doc['running'] = running && this.actors.length > 0;
    this.doc['state'] = running ? 'active' : 'stopped';
    this.doc['updated_at'] = now;
    return ids;
  }

  /** CCCC's group state: `active`, `idle`, `paused` or `stopped`. */
  get state(): string {
    return typeof this.doc['state'] === 'string' ? this.doc['state'] : 'active';
  }

  /** Pauses a running group or makes it active again (CCCC's Web UI does this; no op the bridge uses). */
  setState(state: 'active' | 'idle' | 'paused'): void {
    this.doc['state'] = state;
    this.doc['updated_at'] = cccTimestamp();
  }

  idleSeconds(a: ActorDoc): number | null {
    if (!this.actorRunning(a)) return null;
    return Math.round((Date.now() - (this.startedAt.get(a.id) ?? Date.now())) / 100) / 10;
  }

  /** group.yaml, written atomically as CCCC does. */
  async save(): Promise<void> {
    const file = path.join(this.dir, 'group.yaml');
    await writeFile(`${file}.tmp`, stringify(this.doc), 'utf8');
    await rename(`${file}.tmp`, file);
  }

  /** CCCC's recipient rules: selectors, `user`, actor ids, unique titles (case-insensitive). */
  resolveRecipients(tokens: string[]): string[] {
    const byTitle = new Map<string, string[]>();
    for (const a of this.actors) {
      const t = a.title.trim().toLowerCase();
      if (t) byTitle.set(t, [...(byTitle.get(t) ?? []), a.id]);
    }
    const out: string[] = [];
    for (const raw of tokens) {
      let t = raw.trim();
      if (!t) continue;
      if (t.startsWith('@') && !isRecipientSelector(t) && t !== `@${USER_RECIPIENT}`) {
        t = t.slice(1).trim();
        if (!t) continue;
      }
      let canonical: string;
      if (isRecipientSelector(t)) canonical = t;
      else if (t === USER_RECIPIENT || t === `@${USER_RECIPIENT}`) canonical = USER_RECIPIENT;
      else if (this.actor(t)) canonical = t;
      else {
        const ids = byTitle.get(t.toLowerCase()) ?? [];
        if (ids.length > 1) throw new OpError('invalid_recipient', `ambiguous recipient title: ${t}`);
        if (ids.length === 0) throw new OpError('invalid_recipient', `unknown recipient: ${t}`);
        canonical = ids[0]!;
      }
      if (!out.includes(canonical)) out.push(canonical);
    }
    return out;
  }

  /** Actor ids a message reaches, whether enabled or not. */
  addressedActors(to: string[]): string[] {
    if (to.length === 0 || to.includes('@all')) return this.actors.map((a) => a.id);
    return this.actors
      .filter((a) => to.includes(a.id) || (to.includes('@foreman') && this.role(a.id) === 'foreman') || (to.includes('@peers') && this.role(a.id) === 'peer'))
      .map((a) => a.id);
  }

  /** The audience checks CCCC runs before anything is written. */
  audience(tokens: string[], by: string, messageMode: string): string[] {
    const raw = tokens.map((t) => t.trim()).filter(Boolean);
    let to = this.resolveRecipients(raw);
    if (to.length === 0 && raw.length === 0 && messageMode !== 'request_reply') {
      const messaging = this.doc['messaging'] as { default_send_to?: string } | undefined;
      to = messaging?.default_send_to === 'broadcast' ? ['@all'] : ['@foreman'];
    }
    const hasUser = to.includes(USER_RECIPIENT);
    const hasAgent = to.some((t) => t !== USER_RECIPIENT);
    if (hasUser && hasAgent) {
      throw new OpError('mixed_recipient_kinds', 'one message cannot address user and agents together; send separate messages', { to });
    }
    if (hasUser && messageMode === 'mail') {
      throw new OpError('mail_requires_actor_recipient', 'Mail is only available for agent Inbox recipients; use Send or Send + Reply for user', { to });
    }
    const targetsAgent = to.length === 0 || hasAgent;
    if (targetsAgent && this.addressedActors(to).filter((id) => id !== by).length === 0) {
      const wanted = to.length ? to.join(' ') : '@all';
      throw new OpError(
        'no_enabled_recipients',
        "No enabled recipients after excluding sender. Please specify 'to' explicitly, e.g. to=['user'], to=['@all'], or to=['peer-reviewer']. " +
          `Current resolved recipients: ${wanted}`,
        { to },
      );
    }
    return to;
  }

  /** Only files inside the group's blob store may be attached, and they must exist. */
  async normalizeAttachments(raw: unknown): Promise<Record<string, unknown>[]> {
    if (raw === null || raw === undefined) return [];
    if (!Array.isArray(raw)) throw new OpError('invalid_attachments', 'attachments must be a list');
    const out: Record<string, unknown>[] = [];
    for (const item of raw as unknown[]) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) throw new OpError('invalid_attachments', 'invalid attachment (must be object)');
      const a = item as Record<string, unknown>;
      const rel = String(a['path'] ?? '').trim();
      if (!rel) throw new OpError('invalid_attachments', 'attachment missing path');
      const parts = rel.split('/');
      if (path.isAbsolute(rel) || parts.includes('..')) throw new OpError('invalid_attachments', 'invalid attachment path');
      if (parts.length < 3 || parts[0] !== 'state' || parts[1] !== 'blobs') throw new OpError('invalid_attachments', 'attachment is not a blob');
      let size: number;
      try {
        const st = await stat(path.join(this.dir, rel));
        if (!st.isFile()) throw new Error('not a file');
        size = st.size;
      } catch {
        throw new OpError('invalid_attachments', `attachment not found: ${rel}`);
      }
      out.push({
        kind: String(a['kind'] || 'file'),
        path: rel,
        title: String(a['title'] ?? ''),
        mime_type: String(a['mime_type'] ?? ''),
        bytes: size,
        sha256: String(a['sha256'] ?? ''),
      });
    }
    return out;
  }

  /** An earlier chat.message with the same (by, client_id) in the recent ledger tail. */
  async findByClientId(by: string, clientId: string): Promise<LedgerEvent | undefined> {
    let text: string;
    try {
      text = await readTail(this.ledger.path, DEDUP_WINDOW_LINES + 1);
    } catch {
      return undefined;
    }
    const lines = text.split('\n').filter(Boolean).slice(-DEDUP_WINDOW_LINES).reverse();
    for (const line of lines) {
      let ev: LedgerEvent;
      try {
        ev = JSON.parse(line) as LedgerEvent;
      } catch {
        continue;
      }
      if (ev.kind !== 'chat.message' || (by && ev.by !== by)) continue;
      if (String(ev.data?.['client_id'] ?? '').trim() === clientId) return ev;
    }
    return undefined;
  }

  private senderSnapshot(by: string): Record<string, unknown> {
    const a = this.actor(by);
    if (!a) return {};
    return { ...(a.title.trim() ? { sender_title: a.title.trim() } : {}), ...(a.runtime ? { sender_runtime: a.runtime } : {}) };
  }

  /** Appends a chat.message the way CCCC's `send` does, moving very long text into a file. */
  async appendChat(input: SendInput, to: string[], attachments: Record<string, unknown>[]): Promise<LedgerEvent> {
    const data = chatMessageData(input.text, to, {
      message_mode: input.messageMode,
      reply_to: input.replyTo || null,
      quote_text: input.quoteText || null,
      source_platform: input.sourcePlatform || null,
      source_user_name: input.sourceUserName || null,
      source_user_id: input.sourceUserId || null,
      mention_user_ids: input.mentionUserIds?.length ? input.mentionUserIds : null,
      ...this.senderSnapshot(input.by),
      attachments,
      client_id: input.clientId || null,
      stream_id: input.streamId || null,
    });
    const event = makeEvent(this.id, 'chat.message', input.by, data, this.scopeKey);
    const bytes = Buffer.from(input.text, 'utf8');
    if (bytes.length > CHAT_TEXT_INLINE_MAX_BYTES) {
      const { path: rel, pointer } = chatTextSpill(event.id);
      const file = path.join(this.dir, rel);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, input.text.replace(/\n+$/, '') + '\n', 'utf8');
      data['text'] = pointer;
      data['attachments'] = [...attachments, { kind: 'text', path: rel, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }];
    }
    await this.ledger.append(event);
    this.announce(event);
    if (input.messageMode !== 'mail') await this.deliver(event, input.by, to);
    return event;
  }

  /**
   * CCCC's runtime handoff evidence for a sent message (main branch): per addressed agent that is
   * enabled, `claimed`, then `accepted` while the group runs; a paused group only claims; stopped
   * groups and disabled agents get nothing (they are no longer woken).
   */
  private async deliver(source: LedgerEvent, by: string, to: string[]): Promise<void> {
    if (!this.deliveryEvents || !this.running || this.state === 'stopped') return;
    for (const id of this.addressedActors(to)) {
      const actor = this.actor(id);
      if (!actor || id === by || !actor.enabled) continue;
      const evidence = (state: string): Record<string, unknown> => ({
        actor_id: id,
        source_event_id: source.id,
        delivery_id: `delivery:${id}:${createHash('sha256')
          .update(`${this.id}\0${id}\0${String(actor['created_at'])}\0${source.id}`)
          .digest('hex')
          .slice(0, 24)}`,
        state,
        transport: actor.runner,
        reason: null,
      });
      await this.appendEvent('runtime.delivery', 'system', evidence('claimed'));
      if (this.state !== 'paused') await this.appendEvent('runtime.delivery', 'system', evidence('accepted'));
    }
  }

  /**
   * CCCC's `reply_request_cancel`: closes every still-open obligation of a request_reply message;
   * a second cancel answers the first one's event.
   */
  async cancelReplyRequest(sourceEventId: string, by: string): Promise<{ event: LedgerEvent; already: boolean }> {
    const events = await this.events();
    const source = events.find((e) => e.id === sourceEventId && e.kind === 'chat.message');
    if (!source) throw new OpError('event_not_found', `chat message not found: ${sourceEventId}`);
    if (source.data?.['message_mode'] !== 'request_reply') throw new OpError('not_a_reply_request', 'source message does not request a reply');
    if (by !== 'user' && by !== source.by) throw new OpError('permission_denied', 'only the source sender or user may cancel a reply request');
    const earlier = events.find((e) => e.kind === 'chat.reply_request.cancelled' && e.data?.['source_event_id'] === source.id);
    if (earlier) return { event: earlier, already: true };
    const data = { source_event_id: source.id, src_group_id: '', src_event_id: '', src_message_event_id: '' };
    return { event: await this.appendEvent('chat.reply_request.cancelled', by, data), already: false };
  }

  /** The active ledger's events, in order (torn lines skipped). */
  private async events(): Promise<LedgerEvent[]> {
    let text: string;
    try {
      text = await readFile(this.ledger.path, 'utf8');
    } catch {
      return [];
    }
    const out: LedgerEvent[] = [];
    for (const line of text.split('\n')) {
      try {
        if (line) out.push(JSON.parse(line) as LedgerEvent);
      } catch {
        // a torn line is no event
      }
    }
    return out;
  }

  /** Called with every event the daemon appends (demo agents listen here). Returns an unsubscribe function. */
  onEvent(listener: (event: LedgerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private announce(event: LedgerEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(structuredClone(event));
      } catch {
        // a listener's own problem must not fail the daemon operation
      }
    }
  }

  async appendEvent(kind: string, by: string, data: Record<string, unknown>, scopeKey = ''): Promise<LedgerEvent> {
    const event = makeEvent(this.id, kind, by, data, scopeKey);
    await this.ledger.append(event);
    this.announce(event);
    return event;
  }
}
