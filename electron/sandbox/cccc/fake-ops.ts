/**
 * The fake daemon's operations, answering with the shapes and error codes of a real CCCC
 * 0.4.x daemon (verified by test/conformance/real-cccc.ts). Handlers throw OpError for
 * daemon errors; the server turns them into `{ok:false, error}`.
 */
import { cccTimestamp } from './ledger';
import { OpError, scopeKeyOf, type FakeGroup, type SendInput } from './fake-group';
import { normalizeThreadId } from '../../core/cccc/im-state/schemas';
import { isRecipientSelector } from '../../core/cccc/recipients';
import { ImFiles } from './fake-im';

export interface OpContext {
  groups: Map<string, FakeGroup>;
  pid: number;
  version: string;
}

type Args = Record<string, unknown>;
type Handler = (ctx: OpContext, args: Args) => Promise<Record<string, unknown>>;

const str = (v: unknown): string => (v === undefined || v === null || v === false ? '' : String(v)).trim();

function strList(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
  if (typeof v === 'string' && v.trim()) return [v.trim()];
  return [];
}

/** Most ops say "missing group_id"; the IM ops phrase it "group_id is required". */
function loadGroup(ctx: OpContext, args: Args, missingMessage = 'missing group_id'): FakeGroup {
  const id = str(args['group_id']);
  if (!id) throw new OpError('missing_group_id', missingMessage);
  const group = ctx.groups.get(id);
  if (!group) throw new OpError('group_not_found', `group not found: ${id}`);
  return group;
}

function actorView(group: FakeGroup, a: ReturnType<FakeGroup['actor']> & object): Record<string, unknown> {
  const running = group.actorRunning(a);
  return {
    ...a,
    role: group.role(a.id),
    running,
    idle_seconds: group.idleSeconds(a),
    effective_working_state: running ? 'waiting' : 'stopped',
    effective_working_reason: running ? 'pty_no_prompt_waiting' : 'runner_not_running',
    effective_working_updated_at: null,
    effective_active_task_id: null,
  };
}

const ping: Handler = async (ctx) => ({
  version: ctx.version,
  implementation: 'python',
  pid: ctx.pid,
  ts: cccTimestamp(),
  ipc_v: 1,
  capabilities: { events_stream: true, remote_access: true },
});

/** Newest registry entry first, as CCCC lists them. */
const groups: Handler = async (ctx) => {
  const newestFirst = [...ctx.groups.values()]
    .reverse()
    .sort((a, b) => b.registryUpdatedAt.localeCompare(a.registryUpdatedAt) || String(b.doc['created_at']).localeCompare(String(a.doc['created_at'])));
  return {
    groups: newestFirst.map((g) => ({
      group_id: g.id,
      title: g.doc['title'],
      topic: g.doc['topic'],
      path: g.dir,
      default_scope_key: g.scopeKey,
      created_at: g.doc['created_at'],
      updated_at: g.registryUpdatedAt,
      registry_health: 'ok',
      state: g.doc['state'],
      running: g.running,
    })),
    registry_health: { missing_group_ids: [], corrupt_group_ids: [] },
  };
};

const groupShow: Handler = async (ctx, args) => ({ group: structuredClone(loadGroup(ctx, args).doc) });

const actorList: Handler = async (ctx, args) => {
  const group = loadGroup(ctx, args);
  return { actors: group.actors.map((a) => actorView(group, a)) };
};

const contextGet: Handler = async (ctx, args) => {
  const group = loadGroup(ctx, args);
  return {
    version: 'ctxv:2',
    coordination: {
      brief: {
        objective: group.context.objective ?? '',
        current_focus: group.context.focus ?? '',
        constraints: [],
        project_brief: '',
        project_brief_stale: false,
        updated_by: '',
        updated_at: null,
      },
      tasks: (group.context.tasks ?? []).map((t) => ({ ...t, assignee: t.assignee ?? null })),
      recent_decisions: [],
      recent_handoffs: [],
    },
    agent_states: [],
    actors_runtime: group.actors.map((a) => {
      const v = actorView(group, a);
      return {
        id: a.id,
        runtime: a.runtime,
        runner: a.runner,
        runner_effective: a.runner,
        running: v['running'],
        idle_seconds: v['idle_seconds'],
        effective_working_state: v['effective_working_state'],
        effective_working_reason: v['effective_working_reason'],
        effective_working_updated_at: null,
        effective_active_task_id: null,
      };
    }),
    attention: { blocked: [], waiting_user: [], pending_handoffs: [] },
    board: { planned: [], active: [], done: [], archived: [] },
    tasks_summary: { total: 0, planned: 0, active: 0, done: 0, archived: 0, blocked: 0, waiting_user: 0, pending_handoffs: 0, root_count: 0 },
    meta: {},
  };
};

const groupStart: Handler = async (ctx, args) => {
  const group = loadGroup(ctx, args);
  if (!group.scopeKey) {
    throw new OpError('missing_project_root', 'missing project root for group (no active scope)', {
      hint: 'Attach a project root first (e.g. cccc attach <path> --group <id>)',
    });
  }
  const started = group.setRunning(true);
  await group.save();
  const event = await group.appendEvent('group.start', str(args['by']) || 'user', { started });
  return { group_id: group.id, started, event };
};

const groupStop: Handler = async (ctx, args) => {
  const group = loadGroup(ctx, args);
  const stopped = group.setRunning(false);
  await group.save();
  const event = await group.appendEvent('group.stop', str(args['by']) || 'user', { stopped });
  return { group_id: group.id, stopped, event };
};

/** CCCC's `send`, checking in its order: format, group, replay, audience, scope, attachments, text. */
export async function sendMessage(ctx: OpContext, args: Args): Promise<Record<string, unknown>> {
  const legacy = ['priority', 'reply_required', 'requires_ack'].filter((k) => k in args);
  if (legacy.length) {
    throw new OpError('unsupported_message_fields', 'use message_mode; legacy priority/reply_required/requires_ack fields are not supported', {
      fields: legacy,
    });
  }
  const messageMode = str(args['message_mode']);
  if (!['send', 'request_reply', 'mail'].includes(messageMode)) {
    throw new OpError('invalid_message_mode', 'message_mode is required and must be send, request_reply, or mail');
  }
  const group = loadGroup(ctx, args);
  const input: SendInput = {
    text: typeof args['text'] === 'string' ? args['text'] : str(args['text']),
    by: str(args['by']) || 'user',
    to: strList(args['to']),
    messageMode,
    attachments: args['attachments'],
    clientId: str(args['client_id']),
    streamId: str(args['stream_id']),
    replyTo: str(args['reply_to']),
    quoteText: str(args['quote_text']),
    sourcePlatform: str(args['source_platform']),
    sourceUserName: str(args['source_user_name']),
    sourceUserId: str(args['source_user_id']),
    mentionUserIds: strList(Array.isArray(args['mention_user_ids']) ? args['mention_user_ids'] : []),
    path: str(args['path']),
  };
  if (input.clientId) {
    const earlier = await group.findByClientId(input.by, input.clientId);
    if (earlier) {
      return {
        event: earlier,
        event_id: earlier.id,
        message_mode: String(earlier.data['message_mode'] ?? ''),
        task_id: '',
        task_ref: null,
        replayed: true,
        task_created: false,
        message_sent: true,
        partial_failure: false,
      };
    }
  }
  const to = group.audience(input.to, input.by, messageMode);
  if (messageMode === 'request_reply' && (input.to.length === 0 || input.to.some(isRecipientSelector))) {
    throw new OpError('concrete_recipients_required', 'request_reply requires one or more explicit concrete recipients');
  }
  if (input.path) {
    const key = scopeKeyOf(input.path);
    const scopes = (group.doc['scopes'] as { scope_key?: string }[] | undefined) ?? [];
    if (!scopes.some((s) => s.scope_key === key)) {
      throw new OpError('scope_not_attached', `scope not attached: ${key}`, { hint: 'cccc attach <path> --group <id>' });
    }
  }
  const attachments = await group.normalizeAttachments(input.attachments);
  if (!input.text.trim() && attachments.length === 0) throw new OpError('empty_message', 'message text cannot be empty');
  const event = await group.appendChat(input, to, attachments);
  return { event, message_mode: messageMode };
}

const replyRequestCancel: Handler = async (ctx, args) => {
  const group = loadGroup(ctx, args);
  const source = str(args['source_event_id']);
  if (!source) throw new OpError('missing_source_event_id', 'missing source_event_id');
  const { event, already } = await group.cancelReplyRequest(source, str(args['by']) || 'user');
  // Propagation concerns requests relayed between groups, which the fake does not model.
  return { event, already, propagation: { state: 'not_applicable' } };
};

/** Unread Mail of one agent; the bridge only probes it to tell CCCC's main branch from 0.4.35rc1. */
const inboxPeek: Handler = async (ctx, args) => {
  if (!str(args['group_id'])) throw new OpError('missing_group_id', 'missing group_id');
  const actorId = str(args['actor_id']);
  if (!actorId) throw new OpError('missing_actor_id', 'missing actor_id');
  if (actorId === 'user' || actorId === '@user') throw new OpError('invalid_inbox_recipient', 'Inbox is only available for agents');
  loadGroup(ctx, args);
  return { messages: [], cursor: { event_id: '', ts: '' } };
};

const im = (group: FakeGroup): ImFiles => new ImFiles(`${group.dir}/state`);

const imBindChat: Handler = async (ctx, args) => {
  const key = str(args['key']);
  if (!key) throw new OpError('missing_key', 'key is required');
  const bound = await im(loadGroup(ctx, args, 'group_id is required')).bind(key);
  if (!bound) throw new OpError('invalid_key', 'key not found or expired');
  return bound;
};

const imListPending: Handler = async (ctx, args) => ({ pending: await im(loadGroup(ctx, args, 'group_id is required')).listPending() });

const imRejectPending: Handler = async (ctx, args) => {
  const key = str(args['key']);
  if (!key) throw new OpError('missing_key', 'key is required');
  return { rejected: await im(loadGroup(ctx, args, 'group_id is required')).reject(key) };
};

const imListAuthorized: Handler = async (ctx, args) => ({ authorized: await im(loadGroup(ctx, args, 'group_id is required')).listAuthorized() });

const imRevokeChat: Handler = async (ctx, args) => {
  const chatId = str(args['chat_id']);
  if (!chatId) throw new OpError('missing_chat_id', 'chat_id is required');
  return im(loadGroup(ctx, args, 'group_id is required')).revoke(chatId, normalizeThreadId(args['thread_id']));
};

export const HANDLERS: Record<string, Handler> = {
  ping,
  groups,
  group_show: groupShow,
  actor_list: actorList,
  context_get: contextGet,
  group_start: groupStart,
  group_stop: groupStop,
  send: sendMessage,
  im_bind_chat: imBindChat,
  im_list_pending: imListPending,
  im_reject_pending: imRejectPending,
  im_list_authorized: imListAuthorized,
  im_revoke_chat: imRevokeChat,
};

/** Ops CCCC's main branch added after 0.4.35rc1 (a `release` fake answers `unknown_op`). */
export const MAIN_BRANCH_HANDLERS: Record<string, Handler> = {
  inbox_peek: inboxPeek,
  reply_request_cancel: replyRequestCancel,
};
