import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AI_CARD_KEYS, AI_CARD_TEMPLATE_ID, CardApi, CARD_EXISTS, isCardPermissionError, type CardSpace } from '../../../electron/core/dingtalk/card-api';
import { DingTalkApi } from '../../../electron/core/dingtalk/openapi-client';
import { startFakeDingTalk, type FakeDingTalk } from '../../fakes/dingtalk';
import { rejection } from '../../helpers/problem';

let dt: FakeDingTalk;
let cards: CardApi;

const GROUP: CardSpace = { kind: 'group', openConversationId: 'cidGroup1==' };
const SINGLE: CardSpace = { kind: 'single', staffId: 'staff-alice' };

beforeEach(async () => {
  dt = await startFakeDingTalk({ qpsLimit: 1000 });
  const app = dt.apps[0]!;
  const api = new DingTalkApi({ credentials: app, endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase } });
  cards = new CardApi(api);
});
afterEach(async () => dt.close());

async function create(outTrackId: string, space: CardSpace = GROUP, recipients?: string[]): Promise<void> {
  await cards.createAndDeliver({
    space,
    templateId: AI_CARD_TEMPLATE_ID,
    outTrackId,
    params: { [AI_CARD_KEYS.content]: '…', [AI_CARD_KEYS.title]: 'Peer', [AI_CARD_KEYS.status]: '1' },
    ...(recipients ? { recipients } : {}),
  });
}

describe('createAndDeliver', () => {
  it('delivers an AI card into a group with the robot code', async () => {
    await create('track-g');
    const card = dt.cardInstance('track-g');
    expect(card).toMatchObject({
      templateId: AI_CARD_TEMPLATE_ID,
      space: { type: 'IM_GROUP', id: 'cidGroup1==' },
      robotCode: dt.apps[0]!.robotCode,
      params: { msgContent: '…', msgTitle: 'Peer', flowStatus: '1' },
      status: 'processing',
    });
    const body = dt.cards()[0]!.body;
    expect(body).toMatchObject({ callbackType: 'STREAM', openSpaceId: 'dtv1.card//IM_GROUP.cidGroup1==' });
  });

  it('delivers into a single chat by staff id, and only to the named people in a group when asked', async () => {
    await create('track-s', SINGLE);
    await create('track-r', GROUP, ['staff-bob']);
    expect(dt.cardInstance('track-s')?.space).toEqual({ type: 'IM_ROBOT', id: 'staff-alice' });
    expect(dt.cards()[0]!.body['imRobotOpenDeliverModel']).toEqual({ spaceType: 'IM_ROBOT' });
    expect(dt.cardInstance('track-r')?.recipients).toEqual(['staff-bob']);
  });

  it('names Card.Instance.Write when the permission is missing', async () => {
    dt.setFault({ permissionDenied: { 'card.createAndDeliver': [] } });
    const err = await rejection(create('track-x'));
    expect(err.code).toBe('dingtalk.no_permission');
    expect(err.message).toContain('Card.Instance.Write');
    expect(err.hint).toContain('权限管理');
    expect(isCardPermissionError(err)).toBe(true);
    expect(dt.cardInstances()).toEqual([]);
  });

  it('refuses a chat that cannot exist; a repeated outTrackId is a card DingTalk already has', async () => {
    const bad = await rejection(
      cards.createAndDeliver({ space: { kind: 'group', openConversationId: 'nope' }, templateId: AI_CARD_TEMPLATE_ID, outTrackId: 't', params: {} }),
    );
    expect(bad.code).toBe('dingtalk.api_error');
    await create('twice');
    expect((await rejection(create('twice'))).code).toBe(CARD_EXISTS);
  });

  it("names a template the card platform does not have, in DingTalk's error body", async () => {
    await dt.close();
    dt = await startFakeDingTalk({ qpsLimit: 1000, cardTemplates: ['mine-1.schema'] });
    const app = dt.apps[0]!;
    cards = new CardApi(new DingTalkApi({ credentials: app, endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase } }));
    const send = (templateId: string, outTrackId: string) => cards.createAndDeliver({ space: GROUP, templateId, outTrackId, params: {} });
    const err = await rejection(send('someone-elses.schema', 't-unknown'));
    expect(err.code).toBe('dingtalk.card_template_not_found');
    expect(err.message).toBe('DingTalk does not know this card template (不存在的卡片模板)');
    expect(err.hint).toContain('卡片平台');
    expect(dt.cardInstances()).toEqual([]);
    // The templates it has, and DingTalk's public AI card, are taken.
    await send('mine-1.schema', 't-mine');
    await create('t-public');
    expect(dt.cardInstances().map((k) => k.outTrackId)).toEqual(['t-mine', 't-public']);
  });

  it('turns an injected failure into a retryable problem', async () => {
    dt.setFault({ cardFail: { create: 1 } });
    expect((await rejection(create('t1'))).code).toBe('dingtalk.server_error');
    await create('t1');
    expect(dt.cardInstance('t1')).toBeDefined();
  });
});

describe('streaming', () => {
  it('replaces (isFull), appends, finalizes and ignores a repeated guid', async () => {
    await create('s1');
    const key = AI_CARD_KEYS.content;
    await cards.streaming({ outTrackId: 's1', key, content: 'Hello' });
    expect(dt.cardInstance('s1')).toMatchObject({ status: 'inputting', params: { msgContent: 'Hello' } });
    await cards.streaming({ outTrackId: 's1', key, content: ', world', isFull: false, guid: 'g-1' });
    await cards.streaming({ outTrackId: 's1', key, content: ', world', isFull: false, guid: 'g-1' });
    expect(dt.cardInstance('s1')?.params['msgContent']).toBe('Hello, world');
    await cards.streaming({ outTrackId: 's1', key, content: 'Hello, world!', isFinalize: true });
    expect(dt.cardInstance('s1')).toMatchObject({ status: 'finished', params: { msgContent: 'Hello, world!' } });
    expect(dt.cardInstance('s1')?.streams['msgContent']).toMatchObject({ updates: 3, finalized: true, lateUpdates: 0 });
  });

  it('shows the card failed on isError', async () => {
    await create('e1');
    await cards.streaming({ outTrackId: 'e1', key: AI_CARD_KEYS.content, content: 'partial', isFinalize: true, isError: true });
    expect(dt.cardInstance('e1')?.status).toBe('failed');
  });

  it('names Card.Streaming.Write when the permission is missing, and refuses an unknown card', async () => {
    await create('p1');
    dt.setFault({ permissionDenied: { 'card.streaming': ['Card.Streaming.Write'] } });
    const err = await rejection(cards.streaming({ outTrackId: 'p1', key: AI_CARD_KEYS.content, content: 'x' }));
    expect(err.message).toContain('Card.Streaming.Write');
    expect(isCardPermissionError(err)).toBe(true);
    dt.clearFaults();
    expect((await rejection(cards.streaming({ outTrackId: 'unknown', key: AI_CARD_KEYS.content, content: 'x' }))).code).toBe('dingtalk.api_error');
  });

  it('fails at the step a test chooses: update or finalize', async () => {
    await create('f1');
    dt.setFault({ cardFail: { stream: 1, finalize: 1 } });
    await rejection(cards.streaming({ outTrackId: 'f1', key: AI_CARD_KEYS.content, content: 'a' }));
    await rejection(cards.streaming({ outTrackId: 'f1', key: AI_CARD_KEYS.content, content: 'a', isFinalize: true }));
    await cards.streaming({ outTrackId: 'f1', key: AI_CARD_KEYS.content, content: 'a', isFinalize: true });
    expect(dt.cardInstance('f1')?.status).toBe('finished');
  });
});

describe('updateCard', () => {
  it('changes only the variables named, and the flow status with them', async () => {
    await create('u1');
    await cards.updateCard({ outTrackId: 'u1', params: { [AI_CARD_KEYS.status]: '3' } });
    expect(dt.cardInstance('u1')).toMatchObject({ status: 'finished', params: { msgContent: '…', msgTitle: 'Peer', flowStatus: '3' } });
  });

  it('names Card.Instance.Write when the permission is missing', async () => {
    await create('u2');
    dt.setFault({ permissionDenied: { 'card.update': [] } });
    expect((await rejection(cards.updateCard({ outTrackId: 'u2', params: {} }))).message).toContain('Card.Instance.Write');
  });

  it('fails when a test injects it', async () => {
    await create('u3');
    dt.setFault({ cardFail: { update: 1 } });
    expect((await rejection(cards.updateCard({ outTrackId: 'u3', params: { a: 'b' } }))).retryable).toBe(true);
  });
});

describe('probeCardPermissions', () => {
  it('is ready when both permissions are there, and creates nothing', async () => {
    expect(await cards.probeCardPermissions()).toEqual({ state: 'ready' });
    expect(dt.cardInstances()).toEqual([]);
  });

  it('names each missing permission', async () => {
    dt.setFault({ permissionDenied: { 'card.streaming': [] } });
    const streaming = await cards.probeCardPermissions();
    expect(streaming).toMatchObject({ state: 'missing', scopes: ['Card.Streaming.Write'] });
    dt.setFault({ permissionDenied: { 'card.createAndDeliver': ['Card.Instance.Write'], 'card.streaming': ['Card.Streaming.Write'] } });
    const both = await cards.probeCardPermissions();
    expect(both).toMatchObject({ state: 'missing', scopes: ['Card.Instance.Write', 'Card.Streaming.Write'] });
    expect(both.state === 'missing' && both.problem.hint).toContain('Card.Instance.Write, Card.Streaming.Write');
  });

  it('knows nothing when DingTalk cannot be asked', async () => {
    dt.setFault({ ipNotInWhitelist: true });
    expect(await cards.probeCardPermissions()).toMatchObject({ state: 'unknown', problem: { code: 'dingtalk.ip_not_whitelisted' } });
  });
});
