/**
 * Conformance check of the fake CCCC daemon against a real one, run by hand (CI has no CCCC
 * source):
 *
 *   CCCC_SRC=/path/to/cccc/src npx tsx test/conformance/real-cccc.ts
 *
 * CCCC_SRC is the `src` folder of a CCCC checkout (needs python3 ≥ 3.11 with pydantic 2 and
 * PyYAML; PYTHON overrides the interpreter). Both daemons get the same setup and the same
 * sequence of operations through the bridge's own transport; answers, ledger events, IM state
 * files, group.yaml and addr.json are compared after masking what differs by nature (ids,
 * times, pids, paths). Differences are printed; the exit code is 1 if there are any beyond the
 * short list of accepted ones, each with its reason.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BridgeError } from '../../electron/core/errors';
import { DaemonClient } from '../../electron/core/cccc/daemon/client';
import { FakeCcccDaemon } from '../fakes/cccc/daemon';
import { createDemoGroup, type Json, rawCall, request, resultOf, startReal, stopReal } from './real-daemon';

interface Target {
  name: 'real' | 'fake';
  home: string;
  scope: string;
  ids: Map<string, string>;
  /** Facts one step leaves for a later one (e.g. where long text was spilled). */
  notes: Map<string, string>;
  send(line: string): Promise<Json>;
  speak(actor: string, text: string): Promise<Json>;
  notify(message: string, title: string): Promise<Json>;
  stream(actor: string, text: string): Promise<Json>;
  groupDir(placeholder: 'G' | 'E'): string;
  stop(): Promise<void>;
}

async function realTarget(src: string, root: string): Promise<Target> {
  const { home, proc, call } = await startReal(src, root, 'unix');
  const scope = path.join(root, 'real', 'project');
  const G = await createDemoGroup(call, scope, 'Demo');
  const E = String(resultOf(await call(request('group_create', { title: 'Empty', by: 'user' })), 'group_create')['group_id']);
  const ids = new Map([
    [G, 'G'],
    [E, 'E'],
  ]);
  return {
    name: 'real',
    home,
    scope,
    ids,
    notes: new Map(),
    send: call,
    speak: async (actor, text) => resultOf(await call(request('send', { group_id: G, by: actor, text, to: ['user'], message_mode: 'send' })), 'speak')['event'],
    notify: async (message, title) =>
      resultOf(await call(request('system_notify', { group_id: G, message, title, im_visibility: 'public' })), 'notify')['event'],
    stream: async (actor, text) => resultOf(await call(request('stream_emit', { group_id: G, by: actor, op: 'start', text, to: ['user'] })), 'stream')['event'],
    groupDir: (p) => path.join(home, 'groups', p === 'G' ? G : E),
    stop: () => stopReal(home, proc),
  };
}

async function fakeTarget(root: string): Promise<Target> {
  const home = path.join(root, 'fake-home');
  await mkdir(home, { recursive: true });
  const daemon = await FakeCcccDaemon.start({ home });
  const scope = path.join(root, 'fake', 'project');
  const G = await daemon.createGroup({
    title: 'Demo',
    scopePath: scope,
    actors: [
      { id: 'boss', title: 'Boss', command: ['cat'] },
      { id: 'helper', title: 'Code Helper', command: ['cat'] },
    ],
  });
  const E = await daemon.createGroup({ title: 'Empty', scope: false });
  return {
    name: 'fake',
    home,
    scope,
    ids: new Map([
      [G, 'G'],
      [E, 'E'],
    ]),
    notes: new Map(),
    send: (line) => rawCall(home, line),
    speak: (actor, text) => daemon.speak(actor, text, { group: G }),
    notify: (message, title) => daemon.notify(message, { group: G, title, visibility: 'public' }),
    stream: (actor, text) => daemon.stream(actor, { group: G, text, to: ['user'] }),
    groupDir: (p) => daemon.groupDir(p === 'G' ? G : E),
    stop: () => daemon.close(),
  };
}

// ---- masking and diffing ----------------------------------------------------------------

const VOLATILE_NUMBERS = new Set(['pid', 'idle_seconds', 'created_at', 'expires_at', 'authorized_at', 'port']);

function mask(value: Json, t: Target, key = ''): Json {
  if (typeof value === 'string' && value.startsWith('1 validation error for')) {
    // pydantic's text carries the offending value and a versioned help link; keep field, message, type.
    return value
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('For further information'))
      .map((line) => line.replace(/, input_value=.*\]$/, ']'))
      .join('\n');
  }
  if (typeof value === 'string') {
    let s = value.split(t.scope).join('<SCOPE>').split(t.home).join('<HOME>');
    for (const [id, p] of t.ids) s = s.split(id).join(p);
    if (/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(s)) return '<ts>';
    // A delivery id hashes the actor's creation time.
    if (/^delivery:[^:]+:[0-9a-f]{24}$/.test(s)) return s.replace(/[0-9a-f]{24}$/, '<hash>');
    return s.replace(/\b[0-9a-f]{32}\b/g, '<id>').replace(/\bs_[0-9a-f]{12}\b/g, '<scope-key>');
  }
  if (typeof value === 'number' && VOLATILE_NUMBERS.has(key)) return '<num>';
  if (Array.isArray(value)) return value.map((v) => mask(v, t));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, Json>).map(([k, v]) => [k, mask(v, t, k)]));
  }
  return value;
}

const show = (v: Json): string => {
  const s = JSON.stringify(v);
  return s === undefined ? 'undefined' : s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

function diff(real: Json, fake: Json, at: string, out: string[], names: [string, string] = ['real', 'fake']): void {
  const [rn, fn] = names;
  const kind = (v: Json): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (kind(real) !== kind(fake)) {
    out.push(`${at}: ${rn} ${show(real)} ≠ ${fn} ${show(fake)}`);
    return;
  }
  if (Array.isArray(real) && Array.isArray(fake)) {
    if (real.length !== fake.length) out.push(`${at}: length ${rn} ${real.length} ≠ ${fn} ${fake.length}`);
    for (let i = 0; i < Math.min(real.length, fake.length); i++) diff(real[i], fake[i], `${at}[${i}]`, out, names);
    return;
  }
  if (real && typeof real === 'object') {
    const r = real as Record<string, Json>;
    const f = fake as Record<string, Json>;
    for (const k of new Set([...Object.keys(r), ...Object.keys(f)])) {
      if (!(k in f)) out.push(`${at}.${k}: only in ${rn} (${show(r[k])})`);
      else if (!(k in r)) out.push(`${at}.${k}: only in ${fn} (${show(f[k])})`);
      else diff(r[k], f[k], `${at}.${k}`, out, names);
    }
    return;
  }
  if (real !== fake) out.push(`${at}: ${rn} ${show(real)} ≠ ${fn} ${show(fake)}`);
}

/** Differences that are by design, each with its reason. */
const ACCEPTED: [RegExp, string][] = [
  [/^ping\.result\.capabilities\./, 'the fake advertises only events_stream and remote_access'],
  [/^ping\.result\.version:/, 'version strings differ by nature'],
  [/\.result\.meta\./, 'context_get meta is descriptive text the bridge does not read'],
  [/\.idle_seconds: real null ≠ fake/, 'idle time of a running actor is not modelled exactly'],
  [/\.idle_seconds: real .* ≠ fake null/, 'idle time of a running actor is not modelled exactly'],
  [/\.effective_working_(state|reason)/, 'a real actor process may report a different working state'],
  [/^addr\.json\.version:/, 'version strings differ by nature'],
];

// ---- the sequence -----------------------------------------------------------------------

interface Step {
  name: string;
  run(t: Target): Promise<Json>;
  /** What the real daemon's answer must reduce to, besides matching the fake. */
  expect?: Json;
}

const G = (t: Target): string => [...t.ids].find(([, p]) => p === 'G')![0];
const E = (t: Target): string => [...t.ids].find(([, p]) => p === 'E')![0];

const op = (name: string, opName: string, args: (t: Target) => Record<string, unknown> = () => ({})): Step => ({
  name,
  run: (t) => t.send(request(opName, args(t))),
});

const sendStep = (name: string, args: (t: Target) => Record<string, unknown>): Step =>
  op(name, 'send', (t) => ({ group_id: G(t), by: 'user', message_mode: 'send', text: 'hello', ...args(t) }));

const fileStep = (name: string, file: (t: Target) => string, parse: (text: string) => Json = JSON.parse): Step => ({
  name,
  run: async (t) => {
    try {
      return parse(await readFile(file(t), 'utf8'));
    } catch (err) {
      return { missing: (err as NodeJS.ErrnoException).code ?? String(err) };
    }
  },
});

const stateFile =
  (name: string): ((t: Target) => string) =>
  (t) =>
    path.join(t.groupDir('G'), 'state', name);

const ledgerEvents = async (t: Target): Promise<Array<{ id: string; kind: string; by: string; data: Record<string, unknown> }>> =>
  (await readFile(path.join(t.groupDir('G'), 'ledger.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; kind: string; by: string; data: Record<string, unknown> });

/** The last chat message (delivery evidence may follow it at any time). */
const lastLedgerEvent = (name: string): Step => ({
  name,
  run: async (t) => (await ledgerEvents(t)).filter((e) => e.kind === 'chat.message').at(-1) as Json,
});

/**
 * The `runtime.delivery` events of a noted message, once each recipient has an outcome (the real
 * daemon appends them after answering; a PTY actor's first delivery takes over ten seconds).
 */
const deliveryEvidence = (name: string, note: string): Step => ({
  name,
  run: async (t) => {
    const evidence = async (): Promise<Json[]> =>
      (await ledgerEvents(t))
        .filter((e) => e.kind === 'runtime.delivery' && e.data['source_event_id'] === t.notes.get(note))
        .map((e) => ({ kind: e.kind, by: e.by, data: e.data }));
    const settled = (list: Json[]): boolean => list.length > 0 && list.length % 2 === 0;
    for (let waited = 0; waited < 30_000 && !settled(await evidence()); waited += 100) await new Promise((r) => setTimeout(r, 100));
    return evidence();
  },
});

/** A send whose event id later steps need (`t.notes`). */
const notedSend = (name: string, note: string, args: (t: Target) => Record<string, unknown>): Step => ({
  name,
  run: async (t) => {
    const out = await t.send(request('send', { group_id: G(t), by: 'user', message_mode: 'send', text: 'hello', ...args(t) }));
    t.notes.set(note, String((out as { result?: { event?: { id?: string } } }).result?.event?.id ?? ''));
    return out;
  },
});

const now = (): number => Date.now() / 1000;

/** A typed client call, reduced to its outcome: accepted, or the problem code. */
const clientStep = (name: string, call: (c: DaemonClient, t: Target) => Promise<unknown>, expect: string | Json = 'ok'): Step => ({
  name,
  expect: expect === 'ok' ? { ok: true } : expect,
  run: async (t) => {
    try {
      const out = await call(new DaemonClient({ home: t.home, retries: 0 }), t);
      return out && typeof out === 'object' && 'replayed' in out && Object.keys(out).length === 1 ? out : { ok: true };
    } catch (err) {
      return err instanceof BridgeError ? { code: err.code } : { thrown: String(err) };
    }
  },
});

const STEPS: Step[] = [
  op('ping', 'ping'),
  op('unknown op', 'no_such_op'),
  { name: 'extra envelope key', run: (t) => t.send(JSON.stringify({ v: 1, op: 'ping', args: {}, extra: 1 })) },
  { name: 'not JSON', run: (t) => t.send('hello') },
  op('groups (fresh)', 'groups'),
  op('group_show (fresh)', 'group_show', (t) => ({ group_id: G(t) })),
  op('actor_list (fresh)', 'actor_list', (t) => ({ group_id: G(t) })),
  op('context_get', 'context_get', (t) => ({ group_id: G(t) })),
  op('group_start', 'group_start', (t) => ({ group_id: G(t), by: 'user' })),
  op('groups (started)', 'groups'),
  op('group_show (started)', 'group_show', (t) => ({ group_id: G(t) })),
  op('actor_list (started)', 'actor_list', (t) => ({ group_id: G(t) })),
  notedSend('send from DingTalk', 'sent', () => ({
    text: 'please check',
    to: [],
    path: '',
    attachments: [],
    source_platform: 'dingtalk',
    source_user_name: 'Alice',
    source_user_id: 'staff123',
    mention_user_ids: ['staff123'],
    client_id: 'im:dingtalk:c1:m1',
  })),
  lastLedgerEvent('ledger after send'),
  deliveryEvidence('delivery evidence of that send (claimed, accepted)', 'sent'),
  sendStep('send replayed (same client_id)', () => ({ text: 'please check (again)', client_id: 'im:dingtalk:c1:m1' })),
  sendStep('send same client_id by another sender', () => ({ by: 'boss', to: ['user'], client_id: 'im:dingtalk:c1:m1' })),
  sendStep('send to title, case-insensitive', () => ({ to: ['code helper'] })),
  sendStep('send to @Title', () => ({ to: ['@Code Helper'] })),
  sendStep('send to id in other case', () => ({ to: ['BOSS'] })),
  sendStep('send to @all', () => ({ to: ['@all'] })),
  sendStep('send to @peers', () => ({ to: ['@peers'] })),
  sendStep('send to @foreman + duplicate', () => ({ to: ['@foreman', '@foreman', 'boss'] })),
  sendStep('send to @user', () => ({ to: ['@user'] })),
  sendStep('send to string, not list', () => ({ to: 'helper' })),
  sendStep('send to unknown', () => ({ to: ['@nobody'] })),
  sendStep('send to user and agents', () => ({ to: ['user', '@foreman'] })),
  sendStep('send blank text', () => ({ text: '   ' })),
  sendStep('send missing attachment', () => ({ attachments: [{ kind: 'file', path: 'state/blobs/nope.txt' }] })),
  sendStep('send attachment outside blobs', () => ({ attachments: [{ path: 'state/other/x.txt' }] })),
  sendStep('send attachment with ..', () => ({ attachments: [{ path: '../x' }] })),
  sendStep('send attachments not a list', () => ({ attachments: 'a' })),
  sendStep('send attachment not an object', () => ({ attachments: [1] })),
  {
    name: 'send with a stored attachment, no text',
    run: async (t) => {
      const blob = path.join(t.groupDir('G'), 'state', 'blobs', 'abc123_report.txt');
      await mkdir(path.dirname(blob), { recursive: true });
      await writeFile(blob, 'report body\n');
      return t.send(
        request('send', {
          group_id: G(t),
          by: 'user',
          message_mode: 'send',
          text: '',
          attachments: [{ kind: 'file', path: 'state/blobs/abc123_report.txt', title: 'report.txt', mime_type: 'text/plain', bytes: 1, sha256: 'abc123' }],
        }),
      );
    },
  },
  {
    name: 'send text over 32000 bytes',
    run: async (t) => {
      const out = await t.send(request('send', { group_id: G(t), by: 'user', message_mode: 'send', text: '长'.repeat(11_000) + '\n\n' }));
      const attachments = (out as { result?: { event?: { data?: { attachments?: { path?: string }[] } } } }).result?.event?.data?.attachments;
      t.notes.set('spilled', attachments?.[0]?.path ?? '');
      return out;
    },
  },
  fileStep(
    'spilled text file',
    (t) => path.join(t.groupDir('G'), t.notes.get('spilled') ?? ''),
    (text) => ({ chars: text.length, tail: JSON.stringify(text.slice(-3)) }),
  ),
  sendStep('send without message_mode', () => ({ message_mode: undefined })),
  sendStep('send with legacy priority', () => ({ priority: 'normal' })),
  sendStep('send request_reply to @foreman', () => ({ message_mode: 'request_reply', to: ['@foreman'] })),
  sendStep('send mail to user', () => ({ message_mode: 'mail', to: ['user'] })),
  sendStep('send path not attached', () => ({ path: '/' })),
  sendStep('send path attached', (t) => ({ path: t.scope })),
  sendStep('send without group', () => ({ group_id: '' })),
  sendStep('send unknown group', () => ({ group_id: 'g_000000000000' })),
  sendStep('send to empty group', (t) => ({ group_id: E(t) })),
  sendStep('send to user in empty group', (t) => ({ group_id: E(t), to: ['user'] })),
  { name: 'agent speaks', run: (t) => t.speak('boss', 'done: see report') },
  op('inbox_peek without arguments (the bridge probes with it)', 'inbox_peek'),
  op('inbox_peek without actor', 'inbox_peek', (t) => ({ group_id: G(t) })),
  op('inbox_peek for the user', 'inbox_peek', (t) => ({ group_id: G(t), actor_id: 'user' })),
  notedSend('agent asks the user (request_reply)', 'request', () => ({ by: 'boss', to: ['user'], message_mode: 'request_reply', text: 'Deploy now?' })),
  lastLedgerEvent('ledger after request_reply'),
  op('reply_request_cancel without source', 'reply_request_cancel', (t) => ({ group_id: G(t) })),
  op('reply_request_cancel unknown event', 'reply_request_cancel', (t) => ({ group_id: G(t), source_event_id: '0'.repeat(32) })),
  op('reply_request_cancel of a plain send', 'reply_request_cancel', (t) => ({ group_id: G(t), source_event_id: t.notes.get('sent') })),
  op('reply_request_cancel by another agent', 'reply_request_cancel', (t) => ({ group_id: G(t), source_event_id: t.notes.get('request'), by: 'helper' })),
  op('reply_request_cancel', 'reply_request_cancel', (t) => ({ group_id: G(t), source_event_id: t.notes.get('request'), by: 'user' })),
  op('reply_request_cancel again', 'reply_request_cancel', (t) => ({ group_id: G(t), source_event_id: t.notes.get('request'), by: 'user' })),
  { name: 'public notify', run: (t) => t.notify('Build finished', 'CI') },
  { name: 'agent stream start', run: (t) => t.stream('helper', 'typing…') },
  ...['group_show', 'actor_list', 'context_get', 'group_start', 'group_stop', 'im_list_pending', 'im_list_authorized'].flatMap((name) => [
    op(`${name} without group`, name, () => ({})),
    op(`${name} unknown group`, name, () => ({ group_id: 'g_000000000000' })),
  ]),
  op('group_start on group without project', 'group_start', (t) => ({ group_id: E(t), by: 'user' })),
  op('group_stop on empty group', 'group_stop', (t) => ({ group_id: E(t), by: 'user' })),
  {
    name: 'write pending keys',
    run: async (t) => {
      const state = path.join(t.groupDir('G'), 'state');
      await mkdir(state, { recursive: true });
      const fresh = now();
      const keys = {
        KEYaaaa: { chat_id: 'cidA', thread_id: 0, platform: 'dingtalk', created_at: fresh },
        KEYbbbb: { chat_id: 'cidB', thread_id: 0, platform: 'dingtalk', created_at: fresh - 1 },
        KEYthread: { chat_id: 'cidT', thread_id: '42', platform: 'DingTalk', created_at: fresh - 2 },
        KEYold: { chat_id: 'cidC', thread_id: 0, platform: 'dingtalk', created_at: fresh - 3600 },
      };
      await writeFile(path.join(state, 'im_pending_keys.json'), JSON.stringify(keys, null, 2));
      return null;
    },
  },
  op('im_list_pending', 'im_list_pending', (t) => ({ group_id: G(t) })),
  fileStep('pending file after list (expired purged)', stateFile('im_pending_keys.json')),
  op('im_bind_chat', 'im_bind_chat', (t) => ({ group_id: G(t), key: 'KEYaaaa' })),
  op('im_bind_chat (thread key)', 'im_bind_chat', (t) => ({ group_id: G(t), key: 'KEYthread' })),
  op('im_bind_chat again', 'im_bind_chat', (t) => ({ group_id: G(t), key: 'KEYaaaa' })),
  op('im_bind_chat without key', 'im_bind_chat', (t) => ({ group_id: G(t) })),
  op('im_bind_chat without group', 'im_bind_chat', () => ({ key: 'x' })),
  op('im_bind_chat unknown group', 'im_bind_chat', () => ({ key: 'x', group_id: 'g_000000000000' })),
  fileStep('authorized file after bind', stateFile('im_authorized_chats.json')),
  fileStep('subscribers file after bind', stateFile('im_subscribers.json')),
  fileStep('pending file after bind', stateFile('im_pending_keys.json')),
  op('im_reject_pending', 'im_reject_pending', (t) => ({ group_id: G(t), key: 'KEYbbbb' })),
  op('im_reject_pending again', 'im_reject_pending', (t) => ({ group_id: G(t), key: 'KEYbbbb' })),
  op('im_reject_pending without key', 'im_reject_pending', (t) => ({ group_id: G(t) })),
  op('im_list_authorized', 'im_list_authorized', (t) => ({ group_id: G(t) })),
  op('im_revoke_chat', 'im_revoke_chat', (t) => ({ group_id: G(t), chat_id: 'cidA', thread_id: 0 })),
  op('im_revoke_chat again (no thread_id)', 'im_revoke_chat', (t) => ({ group_id: G(t), chat_id: 'cidA' })),
  op('im_revoke_chat thread', 'im_revoke_chat', (t) => ({ group_id: G(t), chat_id: 'cidT', thread_id: 42 })),
  op('im_revoke_chat without chat', 'im_revoke_chat', (t) => ({ group_id: G(t) })),
  fileStep('authorized file after revoke', stateFile('im_authorized_chats.json')),
  fileStep('subscribers file after revoke', stateFile('im_subscribers.json')),
  // The bridge's typed client must accept every answer (its schemas are the strict part).
  clientStep('client ping', (c) => c.ping()),
  clientStep('client groups', (c) => c.groups()),
  clientStep('client group_show', (c, t) => c.groupShow(G(t))),
  clientStep('client actor_list', (c, t) => c.actorList(G(t))),
  clientStep('client context_get', (c, t) => c.contextGet(G(t))),
  clientStep('client send', (c, t) => c.send({ group_id: G(t), text: 'via client', client_id: 'im:dingtalk:c1:m9', source_platform: 'dingtalk' })),
  clientStep(
    'client send replayed',
    (c, t) => c.send({ group_id: G(t), text: 'via client', client_id: 'im:dingtalk:c1:m9' }).then((r) => ({ replayed: r.replayed })),
    { replayed: true },
  ),
  clientStep('client send to unknown', (c, t) => c.send({ group_id: G(t), text: 'x', to: ['@nobody'] }), { code: 'cccc.invalid_recipient' }),
  clientStep('client im_list_pending', (c, t) => c.imListPending(G(t))),
  clientStep('client im_list_authorized', (c, t) => c.imListAuthorized(G(t))),
  clientStep('client im_bind_chat bad key', (c, t) => c.imBindChat(G(t), 'nope'), { code: 'cccc.invalid_key' }),
  clientStep('client im_reject_pending', (c, t) => c.imRejectPending(G(t), 'nope')),
  clientStep('client im_revoke_chat', (c, t) => c.imRevokeChat(G(t), 'cidZ')),
  clientStep('client group_show unknown', (c) => c.groupShow('g_000000000000'), { code: 'cccc.group_not_found' }),
  clientStep('client group_start', (c, t) => c.groupStart(G(t))),
  op('group_stop', 'group_stop', (t) => ({ group_id: G(t), by: 'user' })),
  clientStep('client group_stop', (c, t) => c.groupStop(G(t))),
  op('groups (stopped)', 'groups'),
  op('actor_list (stopped)', 'actor_list', (t) => ({ group_id: G(t) })),
  fileStep(
    'group.yaml',
    (t) => path.join(t.groupDir('G'), 'group.yaml'),
    (text) => parseYaml(text) as Json,
  ),
  fileStep('addr.json', (t) => path.join(t.home, 'daemon', 'ccccd.addr.json')),
];

async function main(): Promise<void> {
  const src = process.env['CCCC_SRC'];
  if (!src) {
    console.error('Set CCCC_SRC to the src folder of a CCCC checkout.');
    process.exit(2);
  }
  const root = await mkdtemp(path.join(tmpdir(), 'cccc-conf-'));
  const real = await realTarget(src, root);
  const fake = await fakeTarget(root);
  const problems: string[] = [];
  const accepted = new Map<string, string[]>();
  try {
    for (const step of STEPS) {
      const outs: Record<string, Json> = {};
      for (const t of [real, fake]) {
        outs[t.name] = mask(await step.run(t), t);
      }
      const found: string[] = [];
      diff(outs['real'], outs['fake'], step.name, found);
      if (step.expect !== undefined) diff(step.expect, outs['real'], step.name, found, ['expected', 'real']);
      for (const d of found) {
        const ok = ACCEPTED.find(([re]) => re.test(d));
        if (ok) accepted.set(ok[1], [...(accepted.get(ok[1]) ?? []), d]);
        else problems.push(d);
      }
    }
    // TCP: the descriptor a real daemon writes when told to use TCP, and one request over it.
    const tcp = await startReal(src, root, 'tcp');
    try {
      const descriptor = JSON.parse(await readFile(path.join(tcp.home, 'daemon', 'ccccd.addr.json'), 'utf8')) as Record<string, unknown>;
      const fakeTcp = await FakeCcccDaemon.start({ transport: 'tcp' });
      try {
        const fakeDescriptor = JSON.parse(await readFile(fakeTcp.descriptorPath, 'utf8')) as Record<string, unknown>;
        const m = (d: Record<string, unknown>): Json => ({ ...d, pid: '<num>', port: '<num>', ts: '<ts>', version: '<v>', path: d['path'] });
        const found: string[] = [];
        diff(m(descriptor), m(fakeDescriptor), 'tcp addr.json', found);
        const pong = (await tcp.call(request('ping'))) as { ok?: boolean };
        if (!pong.ok) found.push('tcp ping: the real daemon did not answer over TCP');
        problems.push(...found);
      } finally {
        await fakeTcp.close();
      }
    } finally {
      await stopReal(tcp.home, tcp.proc);
    }
  } finally {
    await real.stop();
    await fake.stop();
    await rm(root, { recursive: true, force: true });
  }
  console.log(`Compared ${STEPS.length} steps against a real CCCC daemon.`);
  for (const [reason, items] of accepted) console.log(`accepted (${reason}):\n  ${items.join('\n  ')}`);
  if (problems.length) {
    console.log(`\n${problems.length} difference(s):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log('No differences beyond the accepted ones.');
}

await main();
