import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImStatePort } from '../../../../electron/core/bridge/ports';
import { PythonFlock } from '../../../../electron/core/cccc/im-state/flock';
import { ImState } from '../../../../electron/core/cccc/im-state/im-state';
import { memoryLogger } from '../../../../electron/core/log/logger';
import { expectQuietFor } from '../../../helpers/wait';
import { python } from '../../../helpers/python';
import { tempGroup, type TempGroup } from '../helpers';

let g: TempGroup;
afterEach(async () => g?.cleanup());

/** The stand-ins for CCCC below take its lock with Python's fcntl.flock, which Windows lacks (CCCC uses msvcrt there). */
const noFcntl = process.platform === 'win32';

const stateDir = (): string => join(g.groupDir, 'state');
const readJson = async (name: string): Promise<Record<string, Record<string, unknown>>> => JSON.parse(await readFile(join(stateDir(), name), 'utf8'));
const writeJson = async (name: string, doc: unknown): Promise<void> => {
  await mkdir(stateDir(), { recursive: true });
  await writeFile(join(stateDir(), name), JSON.stringify(doc, null, 2));
};

/**
 * A stand-in for CCCC: holds the exclusive flock on im_state.lock exactly like CCCC's
 * acquire_lockfile (open r+b / w+b, 1-byte region, fcntl.flock LOCK_EX).
 */
const CCCC_LIKE_LOCK = `
import fcntl, os
def acquire(path):
    f = open(path, "r+b") if os.path.exists(path) else open(path, "w+b")
    f.seek(0, 2)
    if f.tell() == 0:
        f.write(b"\\0"); f.flush()
    f.seek(0)
    fcntl.flock(f.fileno(), fcntl.LOCK_EX)
    return f
`;

/** Holds CCCC's lock until stdin closes; resolves once it is held. */
async function holdLockLikeCccc(path: string): Promise<{ release: () => Promise<void> }> {
  const py = spawn(python(), ['-c', `${CCCC_LIKE_LOCK}\nimport sys\nf = acquire(sys.argv[1])\nprint("held", flush=True)\nsys.stdin.read()\n`, path], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => py.stdout.once('data', () => resolve()));
  return {
    release: () =>
      new Promise<void>((resolve) => {
        py.once('close', () => resolve());
        py.stdin.end();
      }),
  };
}

describe('ImState: CCCC file formats', () => {
  it('creates pending keys the way CCCC does (`cccc im bind --key` and the Web UI see them)', async () => {
    g = await tempGroup();
    const now = 1_732_000_000_123;
    const im = new ImState({ groupDir: g.groupDir, now: () => now });
    const p = await im.createPendingKey('cidAbC123==');
    expect(p.key).toMatch(/^[A-Za-z0-9_-]{11}$/); // secrets.token_urlsafe(8)
    expect(p).toMatchObject({ chatId: 'cidAbC123==', platform: 'dingtalk', createdAt: now, expiresAt: now + 600_000 });
    const raw = await readFile(join(stateDir(), 'im_pending_keys.json'), 'utf8');
    expect(raw.endsWith('}')).toBe(true); // json.dumps(indent=2), no trailing newline
    expect(JSON.parse(raw)).toEqual({ [p.key]: { chat_id: 'cidAbC123==', thread_id: 0, platform: 'dingtalk', created_at: now / 1000 } });
    expect(raw).toBe(JSON.stringify(JSON.parse(raw), null, 2));
    expect(await im.listPending()).toEqual([p]);
  });

  it('keeps one open request per chat: a repeat returns the same key until it expires', async () => {
    g = await tempGroup();
    let now = 1_732_000_000_000;
    const im = new ImState({ groupDir: g.groupDir, now: () => now });
    const first = await im.createPendingKey('cidA==');
    expect(first.reused).toBeUndefined();
    now += 60_000;
    expect(await im.createPendingKey('cidA==')).toEqual({ ...first, reused: true });
    const other = await im.createPendingKey('cidB==');
    expect(other.key).not.toBe(first.key);
    expect((await im.listPending()).map((p) => p.chatId).sort()).toEqual(['cidA==', 'cidB==']);
    now += 600_001;
    const fresh = await im.createPendingKey('cidA==');
    expect(fresh.key).not.toBe(first.key);
    expect(fresh.reused).toBeUndefined();
  });

  it('lists only unexpired keys, newest first, and purges expired ones on the next write', async () => {
    g = await tempGroup();
    let now = 1_000_000_000_000;
    const im = new ImState({ groupDir: g.groupDir, now: () => now });
    const old = await im.createPendingKey('chat-old');
    now += 5 * 60_000;
    const mid = await im.createPendingKey('chat-mid');
    expect((await im.listPending()).map((p) => p.key)).toEqual([mid.key, old.key]);
    now += 6 * 60_000; // old is 11 minutes old now
    expect((await im.listPending()).map((p) => p.key)).toEqual([mid.key]);
    const fresh = await im.createPendingKey('chat-new');
    expect(Object.keys(await readJson('im_pending_keys.json')).sort()).toEqual([mid.key, fresh.key].sort());
  });

  it('isAuthorized follows CCCC: our platform or none counts, another platform does not', async () => {
    g = await tempGroup();
    await writeJson('im_authorized_chats.json', {
      cidDing: { chat_id: 'cidDing', thread_id: 0, platform: 'dingtalk', authorized_at: 1.5, key_used: 'k', authorization_source: 'binding_key' },
      cidLegacy: { chat_id: 'cidLegacy', thread_id: 0, platform: '', authorized_at: 1.5, key_used: 'k', authorization_source: 'binding_key' },
      cidTg: { chat_id: 'cidTg', thread_id: 0, platform: 'telegram', authorized_at: 1.5, key_used: 'k', authorization_source: 'binding_key' },
    });
    const im = new ImState({ groupDir: g.groupDir });
    expect(await im.isAuthorized('cidDing')).toBe(true);
    expect(await im.isAuthorized('cidLegacy')).toBe(true);
    expect(await im.isAuthorized('cidTg')).toBe(false);
    expect(await im.isAuthorized('cidUnknown')).toBe(false);
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'a chat id named like an object member (%s) is not authorized, subscribed or pending',
    async (chatId) => {
      g = await tempGroup();
      await writeJson('im_authorized_chats.json', { cidDing: { chat_id: 'cidDing', platform: 'dingtalk' } });
      await writeJson('im_subscribers.json', { cidDing: { subscribed: true, platform: 'dingtalk' } });
      const im = new ImState({ groupDir: g.groupDir });
      expect(await im.isAuthorized(chatId)).toBe(false);
      expect(await im.subscriber(chatId)).toBeUndefined();
      expect(await im.unsubscribe(chatId)).toBe(false);
    },
  );

  it.each(['constructor', 'toString'])('a subscriber written under %s is an ordinary entry next to the others', async (chatId) => {
    g = await tempGroup();
    await writeJson('im_subscribers.json', { cidDing: { subscribed: true, platform: 'dingtalk' } });
    const im = new ImState({ groupDir: g.groupDir });
    await im.updateSubscriber(chatId, { subscribed: true });
    expect((await im.subscriber(chatId))?.subscribed).toBe(true);
    expect(Object.keys(await readJson('im_subscribers.json')).sort()).toEqual(['cidDing', chatId].sort());
    expect(await im.isAuthorized(chatId)).toBe(false);
  });

  it('reads subscriber flags with CCCC coercions and writes them back in CCCC format, keeping other fields and chats', async () => {
    g = await tempGroup();
    await writeJson('im_subscribers.json', {
      cidA: {
        subscribed: 'false',
        verbose: 1,
        paused: 'off',
        subscribed_at: '2025-01-01T00:00:00Z',
        chat_title: 'Team',
        thread_id: 0,
        platform: 'DingTalk',
        future: { x: 1 },
      },
      'cidT:42': {
        subscribed: true,
        verbose: false,
        paused: false,
        subscribed_at: '2025-01-01T00:00:00Z',
        chat_title: '',
        thread_id: 42,
        platform: 'telegram',
      },
    });
    const now = Date.UTC(2025, 5, 1, 8, 30, 15, 999);
    const im = new ImState({ groupDir: g.groupDir, now: () => now });
    expect(await im.subscriber('cidA')).toMatchObject({ subscribed: false, verbose: true, paused: false, chatTitle: 'Team', platform: 'dingtalk' });
    expect([...(await im.subscribers()).keys()]).toEqual(['cidA']);

    const updated = await im.updateSubscriber('cidA', { subscribed: true, paused: true });
    expect(updated).toMatchObject({ subscribed: true, paused: true, verbose: true, chatTitle: 'Team' });
    const created = await im.updateSubscriber('cidNew', { subscribed: true, chatTitle: '项目群' });
    expect(created).toMatchObject({
      subscribed: true,
      verbose: false,
      paused: false,
      chatTitle: '项目群',
      platform: 'dingtalk',
      subscribedAt: '2025-06-01T08:30:15Z',
      threadId: 0,
    });

    const doc = await readJson('im_subscribers.json');
    expect(doc.cidA).toEqual({
      subscribed: true,
      verbose: 1,
      paused: true,
      subscribed_at: '2025-01-01T00:00:00Z',
      chat_title: 'Team',
      thread_id: 0,
      platform: 'DingTalk',
      future: { x: 1 },
    });
    expect(doc['cidT:42']?.platform).toBe('telegram');
    expect(doc.cidNew).toEqual({
      subscribed: true,
      verbose: false,
      paused: false,
      subscribed_at: '2025-06-01T08:30:15Z',
      chat_title: '项目群',
      thread_id: 0,
      platform: 'dingtalk',
    });
    expect(await readFile(join(stateDir(), 'im_subscribers.json'), 'utf8')).toContain('项目群'); // ensure_ascii=False
  });

  it('reads sparse legacy entries with CCCC defaults and skips entries it cannot read', async () => {
    g = await tempGroup();
    await writeJson('im_subscribers.json', { cidOld: {}, cidBad: 'not an object' });
    await writeJson('im_pending_keys.json', { k1: { chat_id: 'cidOld', created_at: Date.now() / 1000 }, k2: { created_at: 1 } });
    const im = new ImState({ groupDir: g.groupDir });
    expect(await im.subscriber('cidOld')).toMatchObject({ subscribed: true, verbose: false, paused: false, chatTitle: '', threadId: 0, platform: '' });
    expect(await im.subscriber('cidBad')).toBeUndefined();
    expect([...(await im.subscribers()).keys()]).toEqual(['cidOld']);
    expect((await im.listPending()).map((p) => p.key)).toEqual(['k1']);
    await im.updateSubscriber('cidNew', { subscribed: true });
    expect((await readJson('im_subscribers.json')).cidBad).toBe('not an object');
  });

  it('unsubscribe keeps the entry with subscribed: false (CCCC semantics)', async () => {
    g = await tempGroup();
    const im = new ImState({ groupDir: g.groupDir });
    expect(await im.unsubscribe('cidX')).toBe(false);
    await im.updateSubscriber('cidX', { subscribed: true, verbose: true });
    expect(await im.unsubscribe('cidX')).toBe(true);
    expect(await im.subscriber('cidX')).toMatchObject({ subscribed: false, verbose: true });
  });

  it('keeps a copy of a corrupt file before rewriting it', async () => {
    g = await tempGroup();
    await mkdir(stateDir(), { recursive: true });
    await writeFile(join(stateDir(), 'im_subscribers.json'), '{"cidA": {"subscribed": tr');
    const logger = memoryLogger();
    const im = new ImState({ groupDir: g.groupDir, logger });
    expect(await im.subscribers()).toEqual(new Map());
    await im.updateSubscriber('cidB', { subscribed: true });
    const copies = (await readdir(stateDir())).filter((n) => n.startsWith('im_subscribers.json.corrupt-'));
    expect(copies).toHaveLength(1);
    expect(await readFile(join(stateDir(), copies[0] as string), 'utf8')).toBe('{"cidA": {"subscribed": tr');
    expect(Object.keys(await readJson('im_subscribers.json'))).toEqual(['cidB']);
  });

  it("fits the engine's ImStatePort", () => {
    const port: ImStatePort = new ImState({ groupDir: '/nonexistent' });
    expect(typeof port.updateSubscriber).toBe('function');
  });
});

describe('ImState: locking against CCCC', () => {
  // Each of our 16 writes must win the flock from a writer that takes it again every few
  // milliseconds: a second or two on a quiet machine, several times that on a busy one.
  it.skipIf(noFcntl)('loses no update while a real flock-taking writer does read-modify-write in a loop', { timeout: 90_000 }, async () => {
    g = await tempGroup();
    await mkdir(stateDir(), { recursive: true });
    const stopFile = join(g.root, 'stop');
    // CCCC-like writer: flock, read both files, widen the window, write tmp + replace, unlock.
    const writer = spawn(
      python(),
      [
        '-c',
        `${CCCC_LIKE_LOCK}
import json, sys, time
state, stop = sys.argv[1], sys.argv[2]
def load(p):
    try:
        return json.load(open(p, encoding="utf-8"))
    except FileNotFoundError:
        return {}
def save(p, d):
    tmp = p[:-5] + ".tmp"
    open(tmp, "w", encoding="utf-8").write(json.dumps(d, ensure_ascii=False, indent=2))
    os.replace(tmp, p)
subs, pend = os.path.join(state, "im_subscribers.json"), os.path.join(state, "im_pending_keys.json")
i = 0
while not os.path.exists(stop) or i < 20:
    f = acquire(os.path.join(state, "im_state.lock"))
    try:
        s, p = load(subs), load(pend)
        time.sleep(0.003)
        s["py-%d" % i] = {"subscribed": True, "verbose": False, "paused": False, "subscribed_at": "2025-01-01T00:00:00Z", "chat_title": "", "thread_id": 0, "platform": "telegram"}
        p["pykey%d" % i] = {"chat_id": "py-%d" % i, "thread_id": 0, "platform": "telegram", "created_at": time.time()}
        save(subs, s)
        save(pend, p)
    finally:
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
        f.close()
    i += 1
    time.sleep(0.001)
print(i, flush=True)
`,
        stateDir(),
        stopFile,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    writer.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const writerDone = new Promise<void>((resolve) => writer.once('close', () => resolve()));

    const im = new ImState({ groupDir: g.groupDir });
    const ours: string[] = [];
    const keys: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, j) => {
        await im.updateSubscriber(`node-${j}`, { subscribed: true });
        ours.push(`node-${j}`);
        keys.push((await im.createPendingKey(`node-${j}`)).key);
      }),
    );
    await writeFile(stopFile, '');
    await writerDone;
    const theirs = Number(out.trim());
    expect(theirs).toBeGreaterThanOrEqual(20);

    const subs = await readJson('im_subscribers.json');
    const pending = await readJson('im_pending_keys.json');
    for (let i = 0; i < theirs; i++) {
      expect(subs[`py-${i}`], `python update ${i}`).toBeDefined();
      expect(pending[`pykey${i}`], `python key ${i}`).toBeDefined();
    }
    for (const id of ours) expect(subs[id], id).toMatchObject({ subscribed: true, platform: 'dingtalk' });
    for (const k of keys) expect(pending[k], k).toBeDefined();
    expect(Object.keys(subs)).toHaveLength(theirs + ours.length);
  });

  it.skipIf(noFcntl)('waits while CCCC holds the lock and writes after it lets go', async () => {
    g = await tempGroup();
    await mkdir(stateDir(), { recursive: true });
    const holder = await holdLockLikeCccc(join(stateDir(), 'im_state.lock'));
    const im = new ImState({ groupDir: g.groupDir });
    let done = false;
    const write = im.updateSubscriber('cidW', { subscribed: true }).then(() => (done = true));
    await expectQuietFor(300, 'the write waiting while CCCC holds the lock', () => !done);
    expect(done).toBe(false);
    await holder.release();
    await write;
    expect((await readJson('im_subscribers.json')).cidW).toBeDefined();
  });

  it.skipIf(noFcntl)('gives up with a typed, retryable error when the lock stays held', async () => {
    g = await tempGroup();
    await mkdir(stateDir(), { recursive: true });
    const lockPath = join(stateDir(), 'im_state.lock');
    const holder = await holdLockLikeCccc(lockPath);
    try {
      await expect(new PythonFlock().withLock(lockPath, async () => 'never', { timeoutMs: 200 })).rejects.toMatchObject({
        code: 'cccc.state_locked',
        retryable: true,
      });
    } finally {
      await holder.release();
    }
  });

  it('refuses to write without a python to lock with (never writes unlocked)', async () => {
    g = await tempGroup();
    const im = new ImState({ groupDir: g.groupDir, locker: new PythonFlock({ python: 'no-such-python-here' }) });
    await expect(im.updateSubscriber('cidZ', { subscribed: true })).rejects.toMatchObject({ code: 'cccc.python_missing' });
    await expect(readFile(join(stateDir(), 'im_subscribers.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.skipIf(noFcntl)('probes a lock without creating it: absent, free, held', async () => {
    g = await tempGroup();
    await mkdir(stateDir(), { recursive: true });
    const lockPath = join(stateDir(), 'im_bridge.lock');
    const flock = new PythonFlock();
    expect(await flock.probe(lockPath)).toBe('absent');
    await expect(readFile(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(lockPath, '4242\n');
    expect(await flock.probe(lockPath)).toBe('free');
    const holder = await holdLockLikeCccc(lockPath);
    try {
      expect(await flock.probe(lockPath)).toBe('held');
    } finally {
      await holder.release();
    }
  });
});
