/** GroupPort over the CCCC daemon: the bridge acts as `by: "user"`, from platform `dingtalk`. */
import type { DaemonClient } from '../../cccc/daemon';
import type { ActorInfo, GroupContextSummary, GroupInfo, GroupPort, SendToGroup } from '../ports';

export class DaemonGroup implements GroupPort {
  constructor(
    private readonly daemon: DaemonClient,
    readonly groupId: string,
  ) {}

  async send(m: SendToGroup): Promise<{ eventId: string; replayed: boolean }> {
    const result = await this.daemon.send({
      group_id: this.groupId,
      text: m.text,
      by: 'user',
      to: m.to,
      attachments: m.attachments,
      client_id: m.clientId,
      source_platform: 'dingtalk',
      source_user_name: m.sourceUserName,
      source_user_id: m.sourceUserId,
      mention_user_ids: m.mentionUserIds,
      ...(m.replyTo ? { reply_to: m.replyTo } : {}),
    });
    return { eventId: result.event.id, replayed: result.replayed };
  }

  async info(): Promise<GroupInfo> {
    // `running` lives inside `group` (CCCC's own /status reads the wrong place).
    const { group } = await this.daemon.groupShow(this.groupId);
    return { groupId: group.group_id, title: group.title || group.group_id, state: group.state ?? 'unknown', running: group.running ?? false };
  }

  async actors(): Promise<ActorInfo[]> {
    const { actors } = await this.daemon.actorList(this.groupId);
    return actors.map((a, i) => {
      const out: ActorInfo = {
        id: a.id,
        title: a.title || a.id,
        // CCCC makes the first actor the foreman when no role is given.
        role: a.role === 'foreman' || (a.role === undefined && i === 0) ? 'foreman' : 'peer',
        running: a.running ?? false,
        enabled: a.enabled ?? true,
      };
      if (a.runtime) out.runtime = a.runtime;
      return out;
    });
  }

  async context(): Promise<GroupContextSummary> {
    const ctx = await this.daemon.contextGet(this.groupId);
    const brief = ctx.coordination?.brief;
    const waiting = Array.isArray(ctx.attention?.waiting_user) ? ctx.attention.waiting_user : [];
    const out: GroupContextSummary = {
      tasks: (ctx.coordination?.tasks ?? []).map((t) => ({ title: t.title ?? t.id ?? '?', ...(t.status ? { status: t.status } : {}) })),
      waitingOnUser: waiting.map((w) => String(w['title'] ?? w['summary'] ?? w['id'] ?? '')).filter(Boolean),
    };
    if (brief?.objective) out.objective = brief.objective;
    if (brief?.current_focus) out.focus = brief.current_focus;
    return out;
  }

  async start(): Promise<string[]> {
    return (await this.daemon.groupStart(this.groupId)).started;
  }

  async stop(): Promise<string[]> {
    return (await this.daemon.groupStop(this.groupId)).stopped;
  }

  async bind(key: string): Promise<{ chatId: string }> {
    return { chatId: (await this.daemon.imBindChat(this.groupId, key)).chat_id };
  }

  async reject(key: string): Promise<void> {
    await this.daemon.imRejectPending(this.groupId, key);
  }

  async revoke(chatId: string): Promise<void> {
    await this.daemon.imRevokeChat(this.groupId, chatId, 0);
  }
}
