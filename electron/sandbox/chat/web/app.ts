/**
 * The DingTalk sandbox's chat page: a group chat and a single chat with the robot, a few people
 * to type as, live updates over server-sent events, and a guide through the bridge's features.
 */
import './style.css';
import { plainPreview } from '../markdown';
import type { ApiFailure, ChatInfo, ChatMessage, PersonInfo, SandboxEvent, SandboxState } from '../protocol';
import { avatarText, formatTime, h, icon, type Child } from './dom';
import { bodyView, previewOf, type ViewContext } from './message-view';

const ME_KEY = 'cccc-sandbox.me';
const CHAT_KEY = 'cccc-sandbox.chat';
/** A time label between messages further apart than this. */
const TIME_GAP_MS = 5 * 60_000;

let state: SandboxState;
let me = '';
let chatId = 'group';
let atRobot = true;
const unread = new Map<string, number>();

const root = document.getElementById('app')!;
let sidebarList: HTMLElement;
let meButton: HTMLElement;
let header: HTMLElement;
let list: HTMLElement;
let composer: HTMLElement;
let guide: HTMLElement;
let toastBox: HTMLElement;
let live: HTMLElement;

// ---- the server ------------------------------------------------------------------------------

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, init);
  const body = (await res.json().catch(() => ({}))) as T | ApiFailure;
  if (!res.ok) throw new Error((body as ApiFailure).message ?? `HTTP ${res.status}`);
  return body as T;
}

function send(text: string, command = false): void {
  api<ChatMessage>('/api/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ chatId, staffId: me, text, command }),
  }).catch((err: Error) => toast(err.message));
}

function press(cardId: string, action: string): void {
  api<{ pressed: true }>('/api/card-press', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ chatId, staffId: me, cardId, action }),
  }).catch((err: Error) => toast(err.message));
}

function upload(file: File): void {
  if (file.size > state.maxUploadBytes) return toast(`文件超过 ${Math.round(state.maxUploadBytes / 1024 / 1024)} MB / file too large`);
  const q = new URLSearchParams({ chatId, staffId: me, name: file.name });
  api<ChatMessage>(`/api/upload?${q.toString()}`, {
    method: 'POST',
    headers: { 'x-sandbox-upload': '1', 'content-type': file.type || 'application/octet-stream' },
    body: file,
  }).catch((err: Error) => toast(err.message));
}

// ---- who and where ---------------------------------------------------------------------------

const person = (staffId: string): PersonInfo | undefined => state.people.find((p) => p.staffId === staffId);
const myChats = (): ChatInfo[] => state.chats.filter((c) => c.type === 'group' || c.staffId === me);
const currentChat = (): ChatInfo => state.chats.find((c) => c.id === chatId)!;

const ctx: ViewContext = {
  get people() {
    return state.people;
  },
  get robotName() {
    return state.robot.name;
  },
  sendCommand: (text) => send(text, true),
  pressButton: (cardId, action) => press(cardId, action),
};

function avatar(from: ChatMessage['from'], size = 'md'): HTMLElement {
  if (from.kind === 'robot') return h('div', { class: `avatar robot ${size}`, title: state.robot.name }, icon('robot', size === 'sm' ? 18 : 22));
  const p = person(from.staffId);
  // The header's small avatars have room for one character.
  const text = avatarText(p?.nick ?? '?');
  const el = h('div', { class: `avatar ${size}`, title: p?.nick ?? from.staffId }, size === 'xs' ? [...text].slice(-1).join('') : text);
  el.style.background = p?.color ?? '#8f959e';
  return el;
}

function toast(text: string): void {
  const el = h('div', { class: 'toast', attrs: { role: 'alert' } }, text);
  toastBox.append(el);
  setTimeout(() => el.remove(), 5_000);
}

// ---- the shell -------------------------------------------------------------------------------

function buildShell(): void {
  root.replaceChildren();
  sidebarList = h('div', { class: 'chat-list', attrs: { role: 'list' } });
  meButton = h('div', { class: 'me' });
  header = h('header', { class: 'chat-header' });
  list = h('div', { class: 'messages', attrs: { 'aria-live': 'polite' } });
  composer = h('div', { class: 'composer' });
  guide = h('aside', { class: 'guide' });
  toastBox = h('div', { class: 'toasts' });
  live = h('span', { class: 'live on' }, '实时');
  root.append(
    h(
      'nav',
      { class: 'rail' },
      h('div', { class: 'rail-logo', title: '钉钉沙盒 / DingTalk sandbox' }, icon('chat', 22)),
      h('div', { class: 'rail-item active', title: '消息 / Messages' }, icon('chat', 22), h('span', {}, '消息')),
      h('div', { class: 'rail-spacer' }),
      h(
        'div',
        { class: 'rail-badge', title: '这是沙盒：消息不会离开这台电脑 / sandbox: nothing leaves this computer' },
        icon('sandbox', 20),
        h('span', {}, '沙盒'),
      ),
    ),
    h('aside', { class: 'sidebar' }, meButton, h('div', { class: 'sidebar-title' }, '消息 ', h('span', {}, 'Messages')), sidebarList),
    dropTarget(h('main', { class: 'chat' }, header, list, composer)),
    guide,
    toastBox,
  );
  renderMe();
  renderSidebar();
  renderChat();
  renderGuide();
}

/** Files dragged onto the chat are sent, as in the DingTalk client. */
function dropTarget(el: HTMLElement): HTMLElement {
  const hasFiles = (e: DragEvent): boolean => Array.from(e.dataTransfer?.types ?? []).includes('Files');
  el.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    el.classList.add('dropping');
  });
  el.addEventListener('dragleave', (e) => {
    if (e.target === el || !el.contains(e.relatedTarget as Node | null)) el.classList.remove('dropping');
  });
  el.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    el.classList.remove('dropping');
    for (const f of Array.from(e.dataTransfer?.files ?? [])) upload(f);
  });
  return el;
}

function renderMe(): void {
  const p = person(me)!;
  const menu = h('div', { class: 'me-menu', attrs: { role: 'menu' } });
  for (const other of state.people) {
    menu.append(
      h(
        'button',
        {
          class: `me-option${other.staffId === me ? ' current' : ''}`,
          attrs: { type: 'button', role: 'menuitem', 'data-staff': other.staffId },
          on: {
            click: () => {
              switchPerson(other.staffId);
            },
          },
        },
        avatar({ kind: 'person', staffId: other.staffId }, 'sm'),
        h('span', { class: 'me-name' }, other.nick),
        other.isAdmin ? h('span', { class: 'tag admin' }, '管理员') : null,
        other.staffId === me ? icon('check', 16) : null,
      ),
    );
  }
  const toggle = h(
    'button',
    {
      class: 'me-toggle',
      title: '切换身份 / Switch person',
      attrs: { type: 'button', 'aria-haspopup': 'menu' },
      on: {
        click: (e) => {
          e.stopPropagation();
          meButton.classList.toggle('open');
        },
      },
    },
    avatar({ kind: 'person', staffId: me }),
    h(
      'div',
      { class: 'me-text' },
      h('div', { class: 'me-label' }, '当前身份 · You are'),
      h('div', { class: 'me-name' }, p.nick, p.isAdmin ? h('span', { class: 'tag admin' }, '管理员') : null),
    ),
    icon('chevron', 16),
  );
  meButton.replaceChildren(toggle, menu);
}

function switchPerson(staffId: string): void {
  me = staffId;
  localStorage.setItem(ME_KEY, me);
  meButton.classList.remove('open');
  if (currentChat().type === 'single') chatId = `single:${me}`;
  renderMe();
  renderSidebar();
  renderChat();
}

function openChat(id: string): void {
  chatId = id;
  localStorage.setItem(CHAT_KEY, id.startsWith('single:') ? 'single' : 'group');
  unread.delete(id);
  renderSidebar();
  renderChat();
}

function lastMessage(id: string): ChatMessage | undefined {
  for (let i = state.messages.length - 1; i >= 0; i--) if (state.messages[i]!.chatId === id) return state.messages[i];
  return undefined;
}

function renderSidebar(): void {
  sidebarList.replaceChildren(
    ...myChats().map((c) => {
      const last = lastMessage(c.id);
      const count = unread.get(c.id) ?? 0;
      return h(
        'button',
        { class: `chat-item${c.id === chatId ? ' active' : ''}`, attrs: { type: 'button', role: 'listitem', 'data-chat': c.type } },
        c.type === 'group' ? h('div', { class: 'avatar group md' }, icon('users', 22)) : avatar({ kind: 'robot' }),
        h(
          'div',
          { class: 'chat-item-text' },
          h(
            'div',
            { class: 'chat-item-top' },
            h('span', { class: 'chat-item-title' }, c.title),
            c.type === 'single' ? h('span', { class: 'tag robot' }, '机器人') : null,
            h('span', { class: 'chat-item-time' }, last ? formatTime(last.at) : ''),
          ),
          h(
            'div',
            { class: 'chat-item-preview' },
            last ? previewOf(last, ctx, plainPreview) : c.type === 'group' ? '群聊 · 3 人和机器人' : '单聊 · 和机器人一对一',
          ),
        ),
        count > 0 ? h('span', { class: 'unread' }, String(count)) : null,
      );
    }),
  );
  sidebarList.querySelectorAll<HTMLButtonElement>('.chat-item').forEach((el, i) => el.addEventListener('click', () => openChat(myChats()[i]!.id)));
}

// ---- the chat --------------------------------------------------------------------------------

function renderChat(): void {
  const chat = currentChat();
  const group = chat.type === 'group';
  header.replaceChildren(
    h(
      'div',
      { class: 'chat-title' },
      h('span', {}, chat.title),
      group ? h('span', { class: 'chat-sub' }, `(${state.people.length + 1})`) : h('span', { class: 'tag robot' }, '机器人'),
    ),
    h(
      'div',
      { class: 'chat-members' },
      ...(group ? [...state.people.map((p) => avatar({ kind: 'person', staffId: p.staffId }, 'xs')), avatar({ kind: 'robot' }, 'xs')] : []),
      live,
      // On narrow screens the guide is a drawer behind this button.
      h(
        'button',
        {
          class: 'guide-toggle',
          title: '新手引导 / Getting started',
          attrs: { type: 'button', 'aria-label': '新手引导' },
          on: {
            click: (e) => {
              e.stopPropagation();
              root.classList.toggle('show-guide');
            },
          },
        },
        icon('book', 18),
      ),
    ),
  );
  renderMessages();
  renderComposer();
}

function renderMessages(): void {
  list.replaceChildren(
    h(
      'div',
      { class: 'notice' },
      '这是钉钉沙盒：消息只在这台电脑上流转，不会发到真实的钉钉。',
      h('br'),
      h('span', {}, 'This is a DingTalk sandbox: messages never leave this computer.'),
    ),
  );
  let prev: ChatMessage | undefined;
  for (const m of state.messages) {
    if (m.chatId !== chatId) continue;
    list.append(...messageRow(m, prev));
    prev = m;
  }
  list.scrollTop = list.scrollHeight;
}

function messageRow(m: ChatMessage, prev: ChatMessage | undefined): HTMLElement[] {
  const rows: HTMLElement[] = [];
  if (!prev || m.at - prev.at > TIME_GAP_MS) rows.push(h('div', { class: 'time-label' }, formatTime(m.at)));
  rows.push(messageView(m));
  return rows;
}

function messageView(m: ChatMessage): HTMLElement {
  const mine = m.from.kind === 'person' && m.from.staffId === me;
  const robot = m.from.kind === 'robot';
  const p = m.from.kind === 'person' ? person(m.from.staffId) : undefined;
  const meta: Child[] = mine
    ? []
    : [
        h(
          'div',
          { class: 'msg-meta' },
          h('span', { class: 'nick' }, robot ? state.robot.name : (p?.nick ?? '')),
          robot ? h('span', { class: 'tag robot' }, '机器人') : p?.isAdmin ? h('span', { class: 'tag admin' }, '管理员') : null,
        ),
      ];
  const notes: Child[] = [];
  if (m.reaction) notes.push(h('div', { class: 'reaction', title: '机器人的表情回复 / the robot’s reaction' }, m.reaction));
  if (m.toRobot === false) notes.push(h('div', { class: 'hint' }, `机器人没有收到：群里要 @${state.robot.name} · The robot only hears messages that @ it`));
  return h(
    'div',
    {
      class: `msg${mine ? ' mine' : ''}${robot ? ' from-robot' : ''}`,
      attrs: { 'data-id': m.id, 'data-from': robot ? 'robot' : 'person', 'data-type': m.body.type },
    },
    avatar(m.from),
    h('div', { class: 'msg-main' }, ...meta, bodyView(m, ctx), ...notes),
  );
}

function nearBottom(): boolean {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
}

// ---- the composer ----------------------------------------------------------------------------

function renderComposer(): void {
  const chat = currentChat();
  const group = chat.type === 'group';
  const input = h('textarea', {
    class: 'input',
    attrs: {
      rows: '3',
      placeholder: group ? `发消息到 ${chat.title}（Enter 发送，Shift+Enter 换行）` : `发消息给 ${state.robot.name}（Enter 发送，Shift+Enter 换行）`,
      'aria-label': '消息 / Message',
    },
  });
  const imageInput = h('input', { attrs: { type: 'file', accept: 'image/*', hidden: '' } });
  const fileInput = h('input', { attrs: { type: 'file', hidden: '' } });
  for (const picker of [imageInput, fileInput]) {
    picker.addEventListener('change', () => {
      for (const f of Array.from(picker.files ?? [])) upload(f);
      picker.value = '';
    });
  }
  const submit = (): void => {
    const text = input.value.trim();
    if (!text) return;
    send(group && atRobot && !text.includes(`@${state.robot.name}`) ? `@${state.robot.name} ${text}` : text);
    input.value = '';
    input.focus();
  };
  // A pasted screenshot or file is sent right away, as in the DingTalk client.
  input.addEventListener('paste', (e) => {
    const files = Array.from(e.clipboardData?.files ?? []);
    if (files.length === 0) return;
    e.preventDefault();
    for (const f of files) upload(f);
  });
  input.addEventListener('keydown', (e) => {
    // Chinese input methods use Enter to pick a candidate: only a plain Enter outside composition sends.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });

  const mentionMenu = h('div', { class: 'mention-menu', attrs: { role: 'menu' } });
  const names = [state.robot.name, ...state.people.filter((p) => p.staffId !== me).map((p) => p.nick), ...(group ? ['所有人'] : [])];
  for (const name of names) {
    mentionMenu.append(
      h(
        'button',
        {
          class: 'mention-option',
          attrs: { type: 'button', role: 'menuitem' },
          on: {
            click: () => {
              const at = input.selectionStart ?? input.value.length;
              input.value = `${input.value.slice(0, at)}@${name} ${input.value.slice(at)}`;
              mentionMenu.classList.remove('open');
              input.focus();
            },
          },
        },
        `@${name}`,
      ),
    );
  }

  const tools = h(
    'div',
    { class: 'tools' },
    group
      ? h(
          'button',
          {
            class: `tool at-robot${atRobot ? ' on' : ''}`,
            title: '群聊里机器人只接收 @ 它的消息 / in groups the robot only hears messages that @ it',
            attrs: { type: 'button', 'aria-pressed': String(atRobot) },
            on: {
              click: (e) => {
                atRobot = !atRobot;
                const el = e.currentTarget as HTMLElement;
                el.classList.toggle('on', atRobot);
                el.setAttribute('aria-pressed', String(atRobot));
              },
            },
          },
          icon('robot', 16),
          `@${state.robot.name}`,
        )
      : null,
    h(
      'button',
      {
        class: 'tool',
        title: '@ 某人 / mention',
        attrs: { type: 'button', 'aria-label': '@ 某人' },
        on: {
          click: (e) => {
            e.stopPropagation();
            mentionMenu.classList.toggle('open');
          },
        },
      },
      icon('at', 20),
    ),
    h(
      'button',
      {
        class: 'tool',
        title: '发送图片 / send a picture',
        attrs: { type: 'button', 'aria-label': '图片', 'data-tool': 'image' },
        on: { click: () => imageInput.click() },
      },
      icon('image', 20),
    ),
    h(
      'button',
      {
        class: `tool${group ? ' disabled' : ''}`,
        title: group ? '钉钉群里不能 @机器人 发文件，请在单聊中发送 / files go to the robot in the single chat' : '发送文件 / send a file',
        attrs: { type: 'button', 'aria-label': '文件', 'data-tool': 'file' },
        on: { click: () => (group ? toast('钉钉群里不能 @机器人 发文件，请在单聊中发送。 / Send files to the robot in the single chat.') : fileInput.click()) },
      },
      icon('file', 20),
    ),
    mentionMenu,
    imageInput,
    fileInput,
  );
  composer.replaceChildren(
    tools,
    input,
    h(
      'div',
      { class: 'composer-foot' },
      h('span', { class: 'composer-hint' }, `以 ${person(me)!.nick} 的身份发送`),
      h('button', { class: 'send', attrs: { type: 'button' }, on: { click: submit } }, '发送'),
    ),
  );
}

// ---- the guide -------------------------------------------------------------------------------

function chip(label: string, text = label): HTMLElement {
  return h(
    'button',
    { class: 'chip', title: `发送 / send: ${text}`, attrs: { type: 'button', 'data-send': text }, on: { click: () => send(text, true) } },
    label,
  );
}

function step(n: number, title: string, en: string, ...body: Child[]): HTMLElement {
  return h(
    'li',
    { class: 'step' },
    h('span', { class: 'step-n' }, String(n)),
    h('div', { class: 'step-body' }, h('div', { class: 'step-title' }, title, h('span', {}, en)), ...body),
  );
}

function renderGuide(): void {
  guide.replaceChildren(
    h(
      'div',
      { class: 'guide-head' },
      icon('book', 20),
      h('div', {}, h('div', { class: 'guide-title' }, '新手引导'), h('div', { class: 'guide-sub' }, 'Getting started')),
    ),
    h(
      'p',
      { class: 'guide-intro' },
      '扮演钉钉用户，通过机器人和 CCCC 的智能体对话。点下面的按钮就会以当前身份发送。',
      h('span', {}, 'Play a DingTalk user and talk to CCCC agents through the robot. Buttons send as the current person.'),
    ),
    h(
      'ol',
      { class: 'steps' },
      step(1, '订阅本会话', 'Subscribe this chat', h('div', { class: 'chips' }, chip('/subscribe'))),
      step(
        2,
        '批准订阅',
        'Approve it',
        h(
          'p',
          {},
          '机器人会回复一个申请码。打开终端里打印的「控制台」地址，在待批准的申请上点「批准」。',
          h('span', {}, 'The robot replies with a key. Open the control UI address printed in the terminal and approve the request.'),
        ),
      ),
      step(
        3,
        '和 foreman 对话',
        'Talk to the foreman',
        h('p', {}, '直接发文字就会交给 foreman。', h('span', {}, 'Plain text goes to the foreman.')),
        h('div', { class: 'chips' }, chip('帮我检查一下登录页的代码')),
      ),
      step(4, '找指定的智能体', 'Address agents', h('div', { class: 'chips' }, chip('/send @peer 你好'), chip('/send @all 今天的进度如何？'))),
      step(
        5,
        '命令',
        'Commands',
        h('div', { class: 'chips' }, chip('/status'), chip('/context'), chip('/verbose'), chip('/pause'), chip('/resume'), chip('/help')),
      ),
      step(
        6,
        '文件、图片和链接',
        'Files, pictures, links',
        h(
          'p',
          {},
          '在单聊里发文件（或把文件拖进来），智能体会回一份文件；也可以向它要。',
          h('span', {}, 'Send (or drop) a file in the single chat and get one back, or ask for one.'),
        ),
        h('div', { class: 'chips' }, chip('发一份报告给我'), chip('来张进度图'), chip('给我项目的链接'), chip('测试结果')),
      ),
    ),
    h('p', { class: 'guide-foot' }, '左上角可以切换身份（张三是钉钉管理员）。', h('span', {}, 'Switch person at the top left (张三 is a DingTalk admin).')),
  );
}

// ---- live updates ----------------------------------------------------------------------------

function apply(event: SandboxEvent): void {
  const m = event.message;
  if (event.type === 'update') {
    const i = state.messages.findIndex((x) => x.id === m.id);
    if (i >= 0) state.messages[i] = m;
    const el = list.querySelector(`[data-id="${m.id}"]`);
    // A card growing at the bottom keeps the list following it down.
    const stick = nearBottom();
    if (el) el.replaceWith(messageView(m));
    if (el && stick) list.scrollTop = list.scrollHeight;
    renderSidebar();
    return;
  }
  const prev = lastMessage(m.chatId);
  state.messages.push(m);
  if (m.chatId === chatId) {
    const stick = nearBottom() || (m.from.kind === 'person' && m.from.staffId === me);
    const rows = messageRow(m, prev);
    list.append(...rows);
    if (stick) {
      list.scrollTop = list.scrollHeight;
      // A picture grows the list when it has loaded: follow it down.
      for (const img of rows.flatMap((r) => [...r.querySelectorAll('img')]))
        img.addEventListener('load', () => (list.scrollTop = list.scrollHeight), { once: true });
    }
  } else if (myChats().some((c) => c.id === m.chatId)) {
    unread.set(m.chatId, (unread.get(m.chatId) ?? 0) + 1);
  }
  renderSidebar();
}

async function resync(): Promise<void> {
  state = await api<SandboxState>('/api/state');
  renderSidebar();
  renderChat();
  renderGuide();
}

function connect(): void {
  const events = new EventSource('/api/events');
  let opened = false;
  events.onopen = () => {
    // After a dropped connection, fetch what was missed.
    if (opened) void resync().catch(() => undefined);
    opened = true;
    live.className = 'live on';
    live.textContent = '实时';
  };
  events.onerror = () => {
    live.className = 'live off';
    live.textContent = '重新连接中…';
  };
  events.onmessage = (e: MessageEvent<string>) => apply(JSON.parse(e.data) as SandboxEvent);
}

async function boot(): Promise<void> {
  state = await api<SandboxState>('/api/state');
  const saved = localStorage.getItem(ME_KEY);
  me = saved && person(saved) ? saved : state.people[0]!.staffId;
  chatId = localStorage.getItem(CHAT_KEY) === 'single' ? `single:${me}` : 'group';
  document.addEventListener('click', (e) => {
    if (!guide.contains(e.target as Node)) root.classList.remove('show-guide');
    meButton.classList.remove('open');
    composer.querySelector('.mention-menu')?.classList.remove('open');
  });
  buildShell();
  connect();
}

boot().catch((err: Error) => {
  root.replaceChildren(
    h('div', { class: 'boot error' }, `沙盒没有响应：${err.message}`, h('span', {}, 'The sandbox did not answer. Is `npm run demo` still running?')),
  );
});
