/**
 * The agents' questions still waiting for the people's answer (CCCC's reply requests to `user`),
 * followed from the ledger and kept on disk (`reply-requests.json`): no daemon op reports them,
 * and an answer may come long after a restart. A request closes when a person's answer (a
 * `reply_to`, from DingTalk or CCCC's Web UI) or its cancellation is in the ledger.
 *
 * Each request shows a short tag (`#` and the first four hex digits of its event id) so that an
 * answer can name it: by quoting the request in DingTalk (the quote carries its text), by
 * starting with the tag (what the request's quick-answer links send), or — when it is the only
 * one open in the chat — by simply writing.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { LedgerEvent } from '../cccc/ledger/event';
import { readObligationFact } from '../cccc/ledger/obligations';
import { silentLogger, type Logger } from '../log/logger';
import { JsonFileStore } from '../util/json-store';
import { dict, own } from '../util/own';

export const REPLY_REQUESTS_FILE = 'reply-requests.json';

/** Open requests kept at most; the oldest go first (CCCC's Web UI still lists them). */
const MAX_OPEN = 100;
const PREVIEW_CHARS = 300;

const requestSchema = z.object({
  by: z.string(),
  text: z.string(),
  openedAt: z.number(),
  /** Chats it was shown in; empty when unknown (then it counts as shown everywhere). */
  chats: z.array(z.string()),
});

const docSchema = z.object({ open: z.record(z.string(), requestSchema).default({}).transform(dict) });

export interface OpenRequest extends z.infer<typeof requestSchema> {
  eventId: string;
  tag: string;
}

/** What an answer in a chat is the answer to. */
export interface AnswerTarget {
  request: OpenRequest;
  /** The person's text without the tag it started with. */
  text: string;
}

/** The tag a request shows, e.g. `#a3f9`. */
export function requestTag(eventId: string): string {
  return `#${eventId.slice(0, 4)}`;
}

const TAG_AT_START = /^[ \t\u3000]*#([0-9a-f]{4})(?![0-9a-f])[ \t\u3000]*/i;
const TAG_ANYWHERE = /#([0-9a-f]{4})(?![0-9a-f])/gi;
const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

export class ReplyRequests {
  private constructor(
    private readonly store: JsonFileStore<typeof docSchema>,
    private readonly now: () => number,
  ) {}

  static async open(stateDir: string, options: { logger?: Logger; now?: () => number } = {}): Promise<ReplyRequests> {
    const store = new JsonFileStore(join(stateDir, REPLY_REQUESTS_FILE), docSchema, () => ({ open: dict<z.infer<typeof requestSchema>>({}) }), {
      log: options.logger ?? silentLogger,
      keepCopy: true,
    });
    await store.get();
    return new ReplyRequests(store, options.now ?? Date.now);
  }

  /**
   * Notes the requests these ledger events open, answer or cancel; `shownIn` says which chats a
   * new request was sent to. Resolves once it is on disk (before the ledger cursor moves on).
   */
  async observe(events: readonly LedgerEvent[], shownIn: (eventId: string) => readonly string[]): Promise<void> {
    const facts = events.map(readObligationFact).filter((f) => f !== undefined && f.kind !== 'delivery');
    if (facts.length === 0) return;
    await this.store.update((doc) => {
      for (const fact of facts) {
        if (fact.kind === 'request') {
          doc.open[fact.eventId] = { by: fact.by, text: fact.text.slice(0, PREVIEW_CHARS), openedAt: this.now(), chats: [...shownIn(fact.eventId)] };
        } else if (fact.kind === 'answered' || fact.kind === 'cancelled') {
          delete doc.open[fact.sourceEventId];
        }
      }
      const ids = Object.keys(doc.open);
      for (const id of ids.slice(0, Math.max(0, ids.length - MAX_OPEN))) delete doc.open[id];
    });
  }

  /** Requests open in a chat, oldest first. */
  async openIn(chatId: string): Promise<OpenRequest[]> {
    const { open } = await this.store.get();
    return Object.entries(open)
      .filter(([, r]) => r.chats.length === 0 || r.chats.includes(chatId))
      .map(([eventId, r]) => ({ ...r, eventId, tag: requestTag(eventId) }));
  }

  /**
   * The request a person's message in a chat answers, if any: the one its DingTalk quote shows,
   * the one its leading tag names, or the only one open there. A quote of anything else is no answer.
   */
  async answerIn(chatId: string, text: string, quote?: { text: string }): Promise<AnswerTarget | undefined> {
    const open = await this.openIn(chatId);
    if (open.length === 0) return undefined;
    if (quote) {
      const request = this.quoted(open, quote.text);
      return request ? { request, text } : undefined;
    }
    const lead = TAG_AT_START.exec(text);
    if (lead) {
      const request = unique(open.filter((r) => r.tag.slice(1) === lead[1]?.toLowerCase()));
      if (request) return { request, text: text.slice(lead[0].length) };
    }
    return open.length === 1 && open[0] ? { request: open[0], text } : undefined;
  }

  /** Whether a request is still open. */
  async isOpen(eventId: string): Promise<boolean> {
    return own((await this.store.get()).open, eventId) !== undefined;
  }

  private quoted(open: OpenRequest[], quoted: string): OpenRequest | undefined {
    for (const m of quoted.matchAll(TAG_ANYWHERE)) {
      const request = unique(open.filter((r) => r.tag.slice(1) === m[1]?.toLowerCase()));
      if (request) return request;
    }
    // DingTalk may quote only part of a long message: match on the beginning of the request.
    const q = squash(quoted);
    return unique(open.filter((r) => q.length > 0 && squash(r.text).length > 0 && q.includes(squash(r.text).slice(0, 40))));
  }
}

function unique<T>(items: T[]): T | undefined {
  return items.length === 1 ? items[0] : undefined;
}
