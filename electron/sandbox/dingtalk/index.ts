/**
 * A faithful fake DingTalk on 127.0.0.1: Stream gateway, v1.0 OpenAPI, legacy OAPI, session
 * webhooks, files and media. Used by the demo sandbox and, with fault injection plugged into its
 * hooks (test/fakes/dingtalk), by the integration tests.
 *
 *   const dt = await startFakeDingTalk({ redeliveryDelayMs: 200 });
 *   // point the client at dt.apiBase / dt.oapiBase, then:
 *   dt.injectMessage({ text: 'hello' });
 *   …
 *   await dt.close();
 */
import { hex } from './ids';
import { CARD_CALLBACK_TOPIC, pressData } from './card-buttons';
import { buildRobotMessage, ROBOT_TOPIC } from './messages';
import { WEBHOOK_PATH } from './oapi';
import { FakeServer } from './server';
import type { FakeHooks } from './hooks';
import { FakeState, resolveOptions } from './state';
import { TimerSet } from './timers';
import type { FakeApp, FakeDingTalk, FakeDingTalkOptions, InjectOptions } from './types';

export type * from './types';
export type { FakeHooks, GateStage } from './hooks';
export { v1, legacy } from './errors';
export { MSG_KEYS, MSG_PARAM_MAX_BYTES, OTO_MAX_USERS } from './api-v1';
export { MEDIA_RULES, WEBHOOK_MAX_BYTES } from './oapi';
export { CARD_VALUE_MAX_CHARS } from './cards';
export { CARD_CALLBACK_TOPIC, cardButtons, type FakeCardButton } from './card-buttons';
export { ROBOT_TOPIC, DEFAULT_SENDER_STAFF_ID, DEFAULT_SENDER_NICK, FAKE_CORP_ID } from './messages';
export { DEFAULT_APP } from './state';
export { VERIFY_PATH, SCAN_PATH } from './registration';

/** `hooks`: test-only fault injection (test/fakes/dingtalk); the sandbox passes none. */
export async function startFakeDingTalk(options: FakeDingTalkOptions = {}, hooks: FakeHooks = {}): Promise<FakeDingTalk> {
  const state = new FakeState(resolveOptions(options), hooks);
  const timers = new TimerSet();
  const server = new FakeServer(state, timers);
  await server.listen(state.opts.host, state.opts.port);
  const gateway = server.gateway;
  let closing: Promise<void> | undefined;

  const appFor = (appKey: string | undefined): Required<FakeApp> => {
    if (appKey === undefined) return state.defaultApp();
    const app = state.app(appKey);
    if (!app) throw new Error(`fake DingTalk: unknown appKey ${appKey}`);
    return app;
  };

  const fake: FakeDingTalk = {
    apiBase: server.apiBase,
    oapiBase: server.oapiBase,
    // Read each time: a registration adds apps.
    get apps() {
      return state.opts.apps.map((a) => ({ ...a }));
    },

    injectMessage(input, opts: InjectOptions = {}) {
      const app = appFor(opts.appKey);
      const msg = buildRobotMessage(input, {
        state,
        app,
        webhookUrl: (session) => `${server.apiBase}${WEBHOOK_PATH}?session=${session}`,
      });
      gateway.push({ type: 'CALLBACK', topic: ROBOT_TOPIC, appKey: app.appKey, data: JSON.stringify(msg), msgId: msg.msgId }, opts.connectionId);
      return structuredClone(msg);
    },

    injectEvent(topic, data, opts: InjectOptions = {}) {
      const app = appFor(opts.appKey);
      const payload = typeof data === 'string' ? data : JSON.stringify(data ?? {});
      gateway.push({ type: 'EVENT', topic, appKey: app.appKey, data: payload, msgId: `evt_${hex(8)}` }, opts.connectionId);
    },

    injectCallback(topic, data, opts: InjectOptions = {}) {
      const app = appFor(opts.appKey);
      const msgId = typeof data['msgId'] === 'string' ? data['msgId'] : typeof data['outTrackId'] === 'string' ? data['outTrackId'] : `cb_${hex(8)}`;
      gateway.push({ type: 'CALLBACK', topic, appKey: app.appKey, data: JSON.stringify(data), msgId }, opts.connectionId);
    },

    pressCardButton(outTrackId, input) {
      const card = state.cards.get(outTrackId);
      if (!card) throw new Error(`fake DingTalk: no card ${outTrackId}`);
      const { data, msgId } = pressData(card, input);
      gateway.push({ type: 'CALLBACK', topic: CARD_CALLBACK_TOPIC, appKey: card.appKey, data: JSON.stringify(data), msgId });
      return structuredClone(data);
    },

    sentMessages: () => structuredClone(state.sent),
    clearSent: () => void state.sent.splice(0),
    acked: () => structuredClone(state.acks),
    deliveries: () => structuredClone(state.deliveryLog),
    frames: () => structuredClone(state.frameLog),
    connections: () => gateway.connections(),
    openRequests: () => structuredClone(state.openLog),
    sendSystemPing: (connectionId) => gateway.sendSystemPing(connectionId),
    disconnect: (connectionId) => gateway.disconnect(connectionId),
    killConnection: (connectionId) => gateway.killConnection(connectionId),

    flushQueue: () => gateway.flushQueue(),

    addFile: (content, opts = {}) => state.addFile(content, opts.fileName),
    uploadedMedia: () => structuredClone(state.media),
    requests: () => structuredClone(state.requestLog),
    emotions: () => structuredClone(state.emotionLog),
    cards: () => structuredClone(state.cardLog),
    cardInstances: () => state.cards.list(),
    cardInstance: (outTrackId) => state.cards.get(outTrackId),
    onCard: (listener) => state.cards.onChange(listener),
    protocolErrors: () => structuredClone(state.protocolErrorLog),
    queuedCount: () => gateway.queuedCount(),
    expireToken: (appKey) => state.expireTokens(appKey),
    onSent: (listener) => state.onSent(listener),
    onEmotion: (listener) => state.onEmotion(listener),
    fileContent(downloadCode) {
      const file = state.files.get(downloadCode);
      return file ? { content: Buffer.from(file.content), fileName: file.fileName } : undefined;
    },
    mediaContent(id) {
      const media = state.mediaFiles.get(id);
      return media ? { content: Buffer.from(media.content), fileName: media.fileName, type: media.type } : undefined;
    },

    registrations: () => server.registrations.records(),
    approveRegistration: (userCode) => server.registrations.approve(userCode),
    declineRegistration: (userCode, reason) => server.registrations.decline(userCode, reason),
    expireRegistration: (userCode) => server.registrations.expire(userCode),
    setRegistrationPolicy: (policy) => server.registrations.setPolicy(policy),

    close() {
      closing ??= (async () => {
        timers.closeAll();
        await server.close();
      })();
      return closing;
    },
  };
  return fake;
}
