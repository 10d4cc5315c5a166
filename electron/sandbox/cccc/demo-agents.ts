/**
 * Scripted agents for the demo when no real CCCC is installed: a foreman and a peer in a group
 * of the fake daemon, answering what people send through the bridge in a believable but
 * clearly scripted way — a plan with an echo of the message, a word to the peer (visible with
 * /verbose), a status update typed out live (a `chat.stream`, shown as an AI card), and a file
 * back when one comes in or is asked for. They speak as real agents do: by appending to the
 * group's ledger, which the bridge follows.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { storeBlob, type BlobAttachment } from '../../core/cccc/blobs/store';
import type { FakeCcccDaemon } from './daemon';
import { imageSize, makeBarChart, makePdf, type PdfLine } from './demo-files';
import type { FakeActorInit, FakeContext } from './fake-group';
import type { LedgerEvent } from './ledger';

export const DEMO_FOREMAN = 'foreman';
export const DEMO_PEER = 'peer';

/** The demo group's actors: the first is the foreman. Their runtime says they are scripted. */
export const DEMO_ACTORS: FakeActorInit[] = [
  { id: DEMO_FOREMAN, title: 'Foreman', runtime: 'demo-script' },
  { id: DEMO_PEER, title: 'Peer', runtime: 'demo-script' },
];

/** The demo group's coordination brief and tasks, so /context has something to show. */
export const DEMO_CONTEXT: FakeContext = {
  objective: '重构登录页并合并到主干 / Refactor the login page and merge it',
  focus: '补齐单元测试 / Finish the unit tests',
  tasks: [
    { id: 'T1', title: '登录页重构 / Login page refactor', status: 'active', assignee: DEMO_FOREMAN },
    { id: 'T2', title: '单元测试 / Unit tests', status: 'active', assignee: DEMO_PEER },
    { id: 'T3', title: '设计评审 / Design review', status: 'done', assignee: DEMO_FOREMAN },
    { id: 'T4', title: '发布说明 / Release notes', status: 'planned' },
  ],
};

export interface DemoAgentsOptions {
  groupId: string;
  /** Base "thinking" time before an answer; default 900 ms. */
  thinkMs?: number;
  /** Time between two pieces of a streamed answer; default a sixth of `thinkMs` (150 ms). */
  typeMs?: number;
}

/** Characters a streamed answer grows by at each step. */
const STREAM_PIECE = 6;

export interface DemoAgents {
  close(): void;
}

type Lang = 'zh' | 'en';

interface Incoming {
  event: LedgerEvent;
  text: string;
  who: string;
  lang: Lang;
  attachments: { path: string; title: string; kind: string; bytes: number }[];
}

const LINK_WORDS = /链接|网址|link|url/i;
const FILE_WORDS = /文件|报告|文档|report|file|pdf|document/i;
const PICTURE_WORDS = /图|截图|chart|image|picture|png|screenshot/i;
const RESULT_WORDS = /测试结果|表格|test results|table/i;
const AUTO_CAPTION = /^\[(?:file|image)\] /;

function langOf(text: string): Lang {
  if (!text.trim() || AUTO_CAPTION.test(text) || /\p{Script=Han}/u.test(text)) return 'zh';
  return 'en';
}

function quote(text: string, max = 60): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

const fmtBytes = (n: number): string => (n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`);

export function startDemoAgents(daemon: FakeCcccDaemon, options: DemoAgentsOptions): DemoAgents {
  const group = daemon.group(options.groupId);
  const think = options.thinkMs ?? 900;
  const typing = options.typeMs ?? think / 6;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let closed = false;
  let tipsGiven = false;

  const later = (ms: number, fn: () => Promise<unknown>): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      // A daemon that is going away takes its ledger with it; a late answer has nowhere to go.
      if (!closed && daemon.running) fn().catch(() => undefined);
    }, ms);
    timers.add(timer);
  };

  const say = (actor: string, text: string, to: string[], replyTo?: string, attachments: BlobAttachment[] = []): Promise<unknown> =>
    daemon.speak(actor, text, { group: group.id, to, ...(replyTo ? { replyTo } : {}), ...(attachments.length ? { attachments } : {}) });

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  /**
   * An answer typed out as CCCC streams it: `chat.stream` start, growing updates (the whole text
   * so far), end, then the final message carrying the stream's id.
   */
  const stream = async (actor: string, text: string, to: string[], replyTo?: string): Promise<void> => {
    const opts = { group: group.id, to };
    const streamId = String((await daemon.stream(actor, { ...opts, op: 'start' })).data['stream_id']);
    const chars = Array.from(text);
    let seq = 0;
    for (let at = STREAM_PIECE; at < chars.length + STREAM_PIECE; at += STREAM_PIECE) {
      await pause(typing);
      if (closed || !daemon.running) return;
      await daemon.stream(actor, { ...opts, op: 'update', streamId, text: chars.slice(0, at).join(''), seq: ++seq });
    }
    await daemon.stream(actor, { ...opts, op: 'end', streamId, text, seq: ++seq });
    await daemon.speak(actor, text, { ...opts, streamId, ...(replyTo ? { replyTo } : {}) });
  };

  const blob = (name: string, data: Buffer, mimeType: string): Promise<BlobAttachment> =>
    storeBlob(group.dir, Readable.from([data]), { filename: name, mimeType, maxBytes: 20 * 1024 * 1024 });

  // ---- what each agent does ---------------------------------------------------------------------

  async function reportFile(m: Incoming, about: string): Promise<BlobAttachment> {
    const stamp = new Date().toLocaleString('zh-CN', { hour12: false });
    const lines: PdfLine[] = [
      { text: m.lang === 'zh' ? `生成时间：${stamp}` : `Generated: ${stamp}`, size: 10 },
      { text: m.lang === 'zh' ? `请求人：${m.who}` : `Requested by: ${m.who}`, size: 10 },
      { text: m.lang === 'zh' ? `内容：${quote(about, 40)}` : `About: ${quote(about, 60)}`, size: 12, gap: 30 },
      { text: m.lang === 'zh' ? '1. 登录页重构：完成 70%' : '1. Login page refactor: 70% done', gap: 26 },
      { text: m.lang === 'zh' ? '2. 单元测试：15 个里 12 个通过' : '2. Unit tests: 12 of 15 pass' },
      { text: m.lang === 'zh' ? '3. 下一步：修复剩下的 3 个测试' : '3. Next: fix the remaining 3 tests' },
      { text: m.lang === 'zh' ? '（这是 CCCC DingTalk Bridge 演示脚本生成的文件）' : '(Made by the CCCC DingTalk Bridge demo script)', size: 9, gap: 40 },
    ];
    return blob('demo-report.pdf', makePdf(m.lang === 'zh' ? 'CCCC 演示报告' : 'CCCC demo report', lines), 'application/pdf');
  }

  async function chart(): Promise<BlobAttachment> {
    return blob('progress-chart.png', makeBarChart([0.35, 0.5, 0.62, 0.7, 0.86]), 'image/png');
  }

  /** A file or picture came in: read it, say what it is, and send something back. */
  async function reviewAttachments(m: Incoming, actor: string): Promise<void> {
    const parts: string[] = [];
    const back: BlobAttachment[] = [];
    for (const a of m.attachments) {
      const data = await readFile(path.join(group.dir, a.path)).catch(() => undefined);
      if (!data) continue;
      if (a.kind === 'image') {
        const size = imageSize(data);
        const dims = size ? `${size.width}×${size.height}` : fmtBytes(data.length);
        parts.push(m.lang === 'zh' ? `图片「${a.title}」（${dims}）` : `picture “${a.title}” (${dims})`);
        back.push(await chart());
      } else {
        const text = data.toString('utf8');
        const printable = !text.includes('\u0000');
        const lineCount = printable ? text.split('\n').length : 0;
        parts.push(
          m.lang === 'zh'
            ? `文件「${a.title}」（${fmtBytes(data.length)}${printable ? `，${lineCount} 行` : ''}）`
            : `file “${a.title}” (${fmtBytes(data.length)}${printable ? `, ${lineCount} lines` : ''})`,
        );
        const review: PdfLine[] = [
          { text: m.lang === 'zh' ? `文件：${a.title}` : `File: ${a.title}`, size: 12 },
          {
            text:
              m.lang === 'zh'
                ? `大小：${fmtBytes(data.length)}${printable ? `，${lineCount} 行` : ''}`
                : `Size: ${fmtBytes(data.length)}${printable ? `, ${lineCount} lines` : ''}`,
          },
          ...(printable
            ? text
                .split('\n')
                .slice(0, 8)
                .map((l, i): PdfLine => ({ text: `${String(i + 1).padStart(2, ' ')}  ${quote(l, 70)}`, size: 9, ...(i === 0 ? { gap: 24 } : {}) }))
            : []),
          {
            text: m.lang === 'zh' ? '审阅意见：结构清晰，建议补充测试说明。（演示脚本）' : 'Review: clear structure; consider adding test notes. (demo script)',
            gap: 30,
          },
        ];
        const stem = a.title.replace(/\.[^.]+$/, '') || 'file';
        back.push(await blob(`review-${stem}.pdf`, makePdf(m.lang === 'zh' ? '审阅意见' : 'Review', review), 'application/pdf'));
      }
    }
    if (parts.length === 0) return;
    const text =
      m.lang === 'zh' ? `收到${parts.join('、')}。我看完了，处理结果在附件里 📎` : `Got your ${parts.join(', ')}. Done reading — the result is attached 📎`;
    await say(actor, text, ['user'], m.event.id, back);
  }

  function foremanPlan(m: Incoming): void {
    const zh = m.lang === 'zh';
    later(think, () =>
      say(
        DEMO_FOREMAN,
        zh
          ? `收到 👍 你说：\n> ${quote(m.text, 120)}\n\n我的计划（演示脚本，不是真的 AI）：\n1. 先读一下相关代码\n2. 请 @peer 检查细节\n3. 完成后给你一个状态更新`
          : `Got it 👍 You said:\n> ${quote(m.text, 120)}\n\nMy plan (a demo script, not a real AI):\n1. Read the relevant code\n2. Ask @peer to check the details\n3. Send you a status update when done`,
        ['user'],
        m.event.id,
      ),
    );
    later(think * 1.6, () =>
      say(DEMO_FOREMAN, zh ? `@peer 帮我看看这个：「${quote(m.text)}」` : `@peer please take a look at this: “${quote(m.text)}”`, [DEMO_PEER]),
    );
    later(think * 3, () => say(DEMO_PEER, zh ? '看完了，没发现问题，测试 15/15 通过。' : 'Checked it: no problems found, tests 15/15 pass.', [DEMO_FOREMAN]));
    later(think * 4, () => {
      const tip = tipsGiven
        ? ''
        : zh
          ? '\n\n可以试试：/send @peer 你好、/status、/context、“测试结果”、/verbose（看到智能体之间的对话），或者发一个文件给我。'
          : '\n\nTry: /send @peer hello, /status, /context, “test results”, /verbose (to see what agents say to each other), or send me a file.';
      tipsGiven = true;
      return stream(
        DEMO_FOREMAN,
        (zh
          ? '📊 状态更新：peer 检查完了，一切正常，这件事完成了 ✅\n\n- 读了相关的代码\n- peer 检查了细节，测试 15/15 通过\n- 没有需要你处理的事'
          : '📊 Status update: peer has checked it, all good — done ✅\n\n- Read the relevant code\n- peer checked the details: tests 15/15 pass\n- Nothing needs your attention') +
          tip,
        ['user'],
        m.event.id,
      );
    });
  }

  /** An answer with a table and a code block: how agents' Markdown looks in DingTalk. */
  function testResults(lang: Lang): string {
    const zh = lang === 'zh';
    return [
      zh ? '## 测试结果（演示脚本）' : '## Test results (a demo script)',
      '',
      zh ? '| 模块 | 通过 | 失败 |' : '| module | pass | fail |',
      '|---|---:|---:|',
      '| login | 12 | 3 |',
      '| session | 8 | 0 |',
      '',
      zh ? '失败的断言：' : 'The failing assertion:',
      '',
      '```ts',
      "expect(login('alice', 'wrong')).rejects.toThrow('invalid password');",
      '```',
    ].join('\n');
  }

  function peerEcho(m: Incoming): void {
    const reversed = [...quote(m.text, 40)].reverse().join('');
    later(think, () =>
      say(
        DEMO_PEER,
        m.lang === 'zh'
          ? `你好，我是 peer（演示脚本）🙂 你对我说「${quote(m.text)}」—— 倒过来念是「${reversed}」。`
          : `Hi, peer here (a demo script) 🙂 You told me “${quote(m.text)}” — backwards that is “${reversed}”.`,
        ['user'],
        m.event.id,
      ),
    );
  }

  function allHands(m: Incoming, actors: string[]): void {
    const zh = m.lang === 'zh';
    if (actors.includes(DEMO_FOREMAN)) {
      later(think, () =>
        say(
          DEMO_FOREMAN,
          zh
            ? `foreman 收到 👋「${quote(m.text, 40)}」\n进度：登录页重构完成 70%，今天能合并。`
            : `foreman here 👋 “${quote(m.text, 40)}”\nProgress: login page refactor 70% done, merging today.`,
          ['user'],
          m.event.id,
        ),
      );
    }
    if (actors.includes(DEMO_PEER)) {
      later(think * 1.8, () =>
        say(DEMO_PEER, zh ? `peer 收到 👋 我这边在写单元测试，15 个里 12 个通过了。` : `peer here 👋 Writing unit tests: 12 of 15 pass.`, ['user'], m.event.id),
      );
    }
  }

  function handle(m: Incoming, addressed: string[]): void {
    const lead = addressed.includes(DEMO_FOREMAN) ? DEMO_FOREMAN : addressed[0]!;
    if (m.attachments.length > 0) {
      later(think, () => reviewAttachments(m, lead));
      return;
    }
    if (LINK_WORDS.test(m.text)) {
      // A bare address: the bridge turns it into a DingTalk link card.
      later(think, () => say(lead, 'https://github.com/ChesterRa/cccc', ['user'], m.event.id));
      return;
    }
    if (FILE_WORDS.test(m.text)) {
      later(think, async () =>
        say(lead, m.lang === 'zh' ? '这是你要的报告 📎' : 'Here is the report you asked for 📎', ['user'], m.event.id, [await reportFile(m, m.text)]),
      );
      return;
    }
    if (PICTURE_WORDS.test(m.text)) {
      later(think, async () =>
        say(lead, m.lang === 'zh' ? '本周进度图 📈（最后一根是今天）' : 'This week’s progress 📈 (the last bar is today)', ['user'], m.event.id, [
          await chart(),
        ]),
      );
      return;
    }
    if (RESULT_WORDS.test(m.text)) {
      later(think, () => say(lead, testResults(m.lang), ['user'], m.event.id));
      return;
    }
    if (addressed.length > 1) return allHands(m, addressed);
    if (lead === DEMO_FOREMAN) foremanPlan(m);
    else peerEcho(m);
  }

  const off = group.onEvent((event) => {
    if (event.kind !== 'chat.message' || event.by !== 'user') return;
    const data = event.data;
    const to = Array.isArray(data['to']) ? (data['to'] as unknown[]).map(String) : [];
    const addressed = group.addressedActors(to).filter((id) => {
      const actor = group.actor(id);
      return actor !== undefined && group.actorRunning(actor);
    });
    if (addressed.length === 0) return;
    const text = String(data['text'] ?? '');
    const attachments = (Array.isArray(data['attachments']) ? (data['attachments'] as Record<string, unknown>[]) : [])
      .filter((a) => typeof a['path'] === 'string' && String(a['path']).startsWith('state/blobs/'))
      .map((a) => ({
        path: String(a['path']),
        title: String(a['title'] || path.basename(String(a['path']))),
        kind: String(a['kind'] ?? 'file'),
        bytes: Number(a['bytes'] ?? 0),
      }));
    const incoming: Incoming = {
      event,
      text: AUTO_CAPTION.test(text) ? '' : text,
      who: String(data['source_user_name'] ?? '') || 'user',
      lang: langOf(text),
      attachments,
    };
    handle(incoming, addressed);
  });

  return {
    close() {
      closed = true;
      off();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
