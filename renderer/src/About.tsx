import { useEffect, useState } from 'react';
import { APP_NAME, CCCC_PROJECT_URL, DINGTALK_CONSOLE_URL, type AppInfo } from '../../electron/shared/app-info';

declare global {
  interface Window {
    cccc?: { appInfo(): Promise<AppInfo> };
  }
}

/** What this app is and where its two halves live; shown until the bridge is set up. */
export function About() {
  const [info, setInfo] = useState<AppInfo | undefined>();
  useEffect(() => {
    void window.cccc?.appInfo().then(setInfo);
  }, []);
  return (
    <main style={{ fontFamily: 'system-ui, "WenQuanYi Micro Hei", sans-serif', maxWidth: 640, margin: '48px auto', lineHeight: 1.6 }}>
      <h1>{APP_NAME}</h1>
      <p>把 CCCC 工作组（一组 AI 编程智能体）接入钉钉：在钉钉里给智能体派任务，收到它们的回复、状态和文件。</p>
      <p>Connect a CCCC working group of AI coding agents to DingTalk: give them tasks from DingTalk and get their answers, status and files back.</p>
      <ul>
        <li>
          钉钉开放平台 / DingTalk Open Platform: <code>{DINGTALK_CONSOLE_URL}</code>
        </li>
        <li>
          CCCC: <code>{CCCC_PROJECT_URL}</code>
        </li>
      </ul>
      {info && (
        <p>
          <small>
            v{info.version} · {info.platform}
          </small>
        </p>
      )}
    </main>
  );
}
