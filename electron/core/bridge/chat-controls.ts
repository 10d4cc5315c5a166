/**
 * What /pause, /resume, /verbose and /status do to and read of a chat, shared by the typed
 * commands (inbound/handler.ts) and the buttons of a /status card (cards/card-presses.ts), so a
 * press does exactly what the command does. The chat's flags live in CCCC's IM state.
 */
import type { StatusFacts } from '../i18n/replies';
import type { GroupPort, ImStatePort } from './ports';

export interface ChatControlsDeps {
  group: GroupPort;
  im: ImStatePort;
  /** How many messages are held for a paused chat. */
  heldCount(chatId: string): Promise<number>;
  /** Queues what was held back while the chat was paused. */
  releaseHeld(chatId: string): Promise<void>;
}

export class ChatControls {
  constructor(private readonly deps: ChatControlsDeps) {}

  /** Pauses delivery to the chat; false when it was paused already. */
  async pause(chatId: string): Promise<boolean> {
    const flags = await this.deps.im.subscriber(chatId);
    if (flags?.paused) return false;
    await this.deps.im.updateSubscriber(chatId, { paused: true });
    return true;
  }

  /** Resumes delivery; `announce` is told how many held messages follow, before they are released. */
  async resume(chatId: string, announce: (held: number) => Promise<void>): Promise<void> {
    await this.deps.im.updateSubscriber(chatId, { paused: false });
    // The announcement goes first so the held messages read as what they are.
    await announce(await this.deps.heldCount(chatId));
    await this.deps.releaseHeld(chatId);
  }

  /** Sets verbose on, off, or the other way round; resolves with the new setting. */
  async verbose(chatId: string, mode: 'toggle' | 'on' | 'off'): Promise<boolean> {
    const current = (await this.deps.im.subscriber(chatId))?.verbose ?? false;
    const next = mode === 'toggle' ? !current : mode === 'on';
    await this.deps.im.updateSubscriber(chatId, { verbose: next });
    return next;
  }

  /** What /status shows for the chat. */
  async status(chatId: string): Promise<StatusFacts> {
    const [info, actors, flags] = await Promise.all([this.deps.group.info(), this.deps.group.actors(), this.deps.im.subscriber(chatId)]);
    return {
      groupTitle: info.title,
      groupId: info.groupId,
      state: info.state,
      running: info.running,
      actors: actors.map((a) => ({ id: a.id, title: a.title, role: a.role, running: a.running, ...(a.runtime ? { runtime: a.runtime } : {}) })),
      chat: { subscribed: flags?.subscribed ?? false, verbose: flags?.verbose ?? false, paused: flags?.paused ?? false },
    };
  }
}
