/**
 * DingTalk's card API (docs/dingtalk-protocol.md §7): create and deliver a card into a chat,
 * stream text into one of its variables, update its variables. Built on the OpenAPI client, so
 * tokens, proxies, timeouts and error bodies are handled as for every other call; the answers
 * are validated here, and a missing card permission is always named.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { BridgeError, type Problem } from '../errors';
import { AI_CARD_KEYS, AI_CARD_TEMPLATE_ID } from './ai-card';
import type { DingTalkApi } from './openapi-client';

export { AI_CARD_KEYS, AI_CARD_STATUS, AI_CARD_TEMPLATE_ID } from './ai-card';

/** The permissions card calls need; DingTalk names them in its console under 权限管理. */
export const CARD_SCOPES = { instance: 'Card.Instance.Write', streaming: 'Card.Streaming.Write' } as const;
export type CardScope = (typeof CARD_SCOPES)[keyof typeof CARD_SCOPES];

/** Where a card goes: a group by its conversation id, or a single chat by the person's staff id. */
export type CardSpace = { kind: 'group'; openConversationId: string } | { kind: 'single'; staffId: string };

export interface CreateCardRequest {
  space: CardSpace;
  templateId: string;
  /** Our id for the card, unique per card; every later call names the card by it. */
  outTrackId: string;
  /** The template's variables; DingTalk takes string values only. */
  params: Record<string, string>;
  /** Group cards only: just these staff ids see the card. */
  recipients?: string[];
}

export interface StreamCardRequest {
  outTrackId: string;
  /** The template variable streamed into. */
  key: string;
  content: string;
  /** Defaults to a fresh id; DingTalk ignores a repeated one. */
  guid?: string;
  /** true (default): `content` replaces the variable; false: it is appended. */
  isFull?: boolean;
  /** Ends streaming into this variable. */
  isFinalize?: boolean;
  /** Shows the card as failed. */
  isError?: boolean;
}

export interface UpdateCardRequest {
  outTrackId: string;
  /** Only these variables change (the others keep their values). */
  params: Record<string, string>;
}

/** Whether this app may use cards: probed without creating one (see `probeCardPermissions`). */
export type CardReadiness = { state: 'ready' } | { state: 'missing'; scopes: CardScope[]; problem: Problem } | { state: 'unknown'; problem: Problem };

const deliverResult = z.looseObject({
  spaceType: z.string().optional(),
  spaceId: z.string().optional(),
  success: z.boolean(),
  errorMsg: z.string().nullish(),
  carrierId: z.string().nullish(),
});

const createAnswer = z.looseObject({
  success: z.boolean().optional(),
  result: z.looseObject({ outTrackId: z.string().optional(), deliverResults: z.array(deliverResult).default([]) }),
});

const plainAnswer = z.looseObject({ success: z.boolean().optional(), result: z.unknown().optional() });

/** Not a conversation or card DingTalk can have: the permission probes use them. */
const PROBE_ID = 'cccc-permission-probe';

/**
 * DingTalk already has a card with this outTrackId: a create sent again (its answer lost, or the
 * bridge stopped before it could record it) that DingTalk had carried out the first time.
 */
export const CARD_EXISTS = 'dingtalk.card_exists';

/** What a probe's impossible chat or card earns once the permission check has passed. */
const PARAMETER_ANSWERS = new Set(['dingtalk.api_error', 'dingtalk.card_not_delivered', 'dingtalk.robot_not_found', CARD_EXISTS]);

export function openSpaceId(space: CardSpace): string {
  return space.kind === 'group' ? `dtv1.card//IM_GROUP.${space.openConversationId}` : `dtv1.card//IM_ROBOT.${space.staffId}`;
}

/** The problem shown while card permissions are missing: answers still go out, as messages. */
export function cardPermissionProblem(scopes: readonly CardScope[]): Problem {
  const named = scopes.join(', ');
  return {
    code: 'dingtalk.card_permission_missing',
    message: `Live answers (AI cards) need the permission ${named}; answers go out as ordinary messages meanwhile`,
    hint: `Enable ${named} under 权限管理 (Permissions) in the DingTalk developer console, then create and publish a new version (版本管理与发布).`,
    retryable: false,
    details: { requiredScopes: [...scopes] },
  };
}

function badAnswer(api: string): BridgeError {
  return new BridgeError({ code: 'dingtalk.bad_answer', message: `DingTalk sent an unexpected answer to ${api}`, retryable: true });
}

/** A permission refusal names the card scope even when DingTalk's body lists none. */
function namingScope(err: unknown, scope: CardScope): unknown {
  if (!(err instanceof BridgeError) || err.code !== 'dingtalk.no_permission') return err;
  const listed = err.details?.['requiredScopes'];
  if (Array.isArray(listed) && listed.length > 0) return err;
  return new BridgeError({ ...cardPermissionProblem([scope]), code: 'dingtalk.no_permission' }, { cause: err });
}

export function isCardPermissionError(err: unknown): err is BridgeError {
  if (!(err instanceof BridgeError) || err.code !== 'dingtalk.no_permission') return false;
  const listed = err.details?.['requiredScopes'];
  return Array.isArray(listed) && listed.some((s) => typeof s === 'string' && s.startsWith('Card.'));
}

function missingScopes(err: BridgeError): CardScope[] {
  const listed = err.details?.['requiredScopes'];
  const known = Object.values(CARD_SCOPES) as string[];
  return Array.isArray(listed) ? (listed.filter((s) => typeof s === 'string' && known.includes(s)) as CardScope[]) : [];
}

export class CardApi {
  constructor(private readonly api: DingTalkApi) {}

  /** Creates a card and delivers it into the chat; fails unless DingTalk says it was delivered. */
  async createAndDeliver(req: CreateCardRequest): Promise<void> {
    const api = 'card.createAndDeliver';
    const group = req.space.kind === 'group';
    const body = {
      cardTemplateId: req.templateId,
      outTrackId: req.outTrackId,
      cardData: { cardParamMap: req.params },
      callbackType: 'STREAM',
      openSpaceId: openSpaceId(req.space),
      ...(group
        ? {
            imGroupOpenSpaceModel: { supportForward: true },
            imGroupOpenDeliverModel: { robotCode: this.api.robotCode, ...(req.recipients?.length ? { recipients: req.recipients } : {}) },
          }
        : { imRobotOpenSpaceModel: { supportForward: true }, imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' } }),
      userIdType: 1,
    };
    const answer = await this.call(api, '/v1.0/card/instances/createAndDeliver', body, 'POST', CARD_SCOPES.instance).catch((err: unknown) => {
      // Our ids are fresh UUIDs: DingTalk refusing one can only mean it made this card before.
      if (err instanceof BridgeError && err.details?.['dingtalkCode'] === 'invalidParameter.outTrackId') {
        throw new BridgeError({ code: CARD_EXISTS, message: 'DingTalk already has this card', retryable: false }, { cause: err });
      }
      throw err;
    });
    const parsed = createAnswer.safeParse(answer);
    if (!parsed.success) throw badAnswer(api);
    const failed = parsed.data.result.deliverResults.find((r) => !r.success);
    if (parsed.data.success === false || failed) {
      throw new BridgeError({
        code: 'dingtalk.card_not_delivered',
        message: `DingTalk created the card but did not deliver it${failed?.errorMsg ? ` (${failed.errorMsg})` : ''}`,
        hint: 'Check that the robot is still in the chat and the person is within the app’s visibility range (可见范围).',
        retryable: false,
      });
    }
  }

  /** Streams text into one variable of a card (PUT /v1.0/card/streaming). */
  async streaming(req: StreamCardRequest): Promise<void> {
    const api = 'card.streaming';
    const body = {
      outTrackId: req.outTrackId,
      guid: req.guid ?? randomUUID(),
      key: req.key,
      content: req.content,
      isFull: req.isFull ?? true,
      isFinalize: req.isFinalize ?? false,
      isError: req.isError ?? false,
    };
    this.expectSuccess(api, await this.call(api, '/v1.0/card/streaming', body, 'PUT', CARD_SCOPES.streaming));
  }

  /** Changes some of a card's variables in place (PUT /v1.0/card/instances). */
  async updateCard(req: UpdateCardRequest): Promise<void> {
    const api = 'card.update';
    const body = {
      outTrackId: req.outTrackId,
      cardData: { cardParamMap: req.params },
      cardUpdateOptions: { updateCardDataByKey: true },
      userIdType: 1,
    };
    this.expectSuccess(api, await this.call(api, '/v1.0/card/instances', body, 'PUT', CARD_SCOPES.instance));
  }

  /**
   * Which card permissions the app lacks, without creating a card: DingTalk checks the
   * permission before the parameters, so a call about a chat and a card that cannot exist
   * answers "no permission" when it is missing and a parameter error when it is there.
   */
  async probeCardPermissions(): Promise<CardReadiness> {
    const missing: CardScope[] = [];
    const probes: [CardScope, () => Promise<void>][] = [
      [
        CARD_SCOPES.instance,
        () =>
          this.createAndDeliver({
            space: { kind: 'group', openConversationId: PROBE_ID },
            templateId: AI_CARD_TEMPLATE_ID,
            outTrackId: PROBE_ID,
            params: {},
          }),
      ],
      [CARD_SCOPES.streaming, () => this.streaming({ outTrackId: PROBE_ID, key: AI_CARD_KEYS.content, content: '' })],
    ];
    for (const [scope, probe] of probes) {
      try {
        await probe();
      } catch (err) {
        if (!(err instanceof BridgeError)) throw err;
        if (err.code === 'dingtalk.no_permission') {
          const named = missingScopes(err);
          missing.push(...(named.length ? named : [scope]));
        } else if (!PARAMETER_ANSWERS.has(err.code)) {
          // Not an answer about the parameters (network, credentials, …): nothing is known.
          return { state: 'unknown', problem: err.toProblem() };
        }
      }
    }
    const scopes = [...new Set(missing)];
    return scopes.length ? { state: 'missing', scopes, problem: cardPermissionProblem(scopes) } : { state: 'ready' };
  }

  private async call(api: string, path: string, body: unknown, method: 'POST' | 'PUT', scope: CardScope): Promise<unknown> {
    try {
      return await this.api.v1(api, path, body, method);
    } catch (err) {
      throw namingScope(err, scope);
    }
  }

  private expectSuccess(api: string, answer: unknown): void {
    const parsed = plainAnswer.safeParse(answer ?? {});
    if (!parsed.success) throw badAnswer(api);
    if (parsed.data.success === false) {
      throw new BridgeError({ code: 'dingtalk.api_error', message: `DingTalk refused ${api}`, retryable: false, details: { api } });
    }
  }
}
