/**
 * The DingTalk sandbox: try the bridge without a DingTalk account. A faithful fake DingTalk on
 * 127.0.0.1 (Stream gateway, OpenAPI, session webhooks, files) plus a chat page that looks and
 * behaves like a DingTalk client, where you type as a few made-up people. Point the bridge at
 * `apiBase` / `oapiBase` with the sandbox app's credentials.
 *
 *   const sandbox = await startSandbox();
 *   // DINGTALK_API_BASE=sandbox.dingtalk.apiBase, DINGTALK_OAPI_BASE=sandbox.dingtalk.oapiBase
 *   console.log(sandbox.chatUrl);
 *   await sandbox.close();
 */
import { SANDBOX_BUTTON_TEMPLATE } from '../shared/app-info';
import { ChatRoom, type ChatRoomOptions } from './chat/room';
import { startChatPage } from './chat/server';
import { startFakeDingTalk } from './dingtalk/index';
import type { FakeApp, FakeDingTalk, FakeDingTalkOptions } from './dingtalk/types';

export interface SandboxOptions extends ChatRoomOptions {
  /** Chat page port; default 0 (any free port). */
  port?: number;
  dingtalk?: FakeDingTalkOptions;
}

export interface Sandbox {
  readonly dingtalk: FakeDingTalk;
  readonly room: ChatRoom;
  /** The sandbox DingTalk app (appKey, appSecret, robotCode) — made-up values that work only here. */
  readonly app: Required<FakeApp>;
  readonly chatUrl: string;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  // Its card platform holds one button-card template, so a mistyped id is refused as DingTalk would.
  const dingtalk = await startFakeDingTalk({ cardTemplates: [SANDBOX_BUTTON_TEMPLATE], ...options.dingtalk });
  const room = new ChatRoom(dingtalk, options);
  let page;
  try {
    page = await startChatPage({ room, ...(options.port !== undefined ? { port: options.port } : {}) });
  } catch (err) {
    room.close();
    await dingtalk.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    dingtalk,
    room,
    app: dingtalk.apps[0]!,
    chatUrl: page.url,
    close() {
      closing ??= (async () => {
        await page.close();
        room.close();
        await dingtalk.close();
      })();
      return closing;
    },
  };
}
