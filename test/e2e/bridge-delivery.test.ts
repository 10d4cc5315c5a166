import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectQuietFor, waitFor } from '../helpers/wait';
import { ALICE, GROUP_CHAT, SINGLE, SINGLE_CHAT, startE2E, textOf, type E2E } from './harness';

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

const single = SINGLE_CHAT;

describe('delivery paths', () => {
  it('falls back to the OpenAPI when the session webhook has expired, in groups and single chats', async () => {
    e = await startE2E();
    await e.subscribe();
    await e.subscribe(SINGLE, single);
    e.dt.setFault({ webhookExpired: true });
    e.say('ping');
    const ask = await waitFor(async () => (await e!.fromPeople()).find((m) => m.data['text'] === 'ping'), 'ping in ledger');
    await e.cccc.speak('boss', 'pong', { to: ['user'], replyTo: ask.id });
    const group = await waitFor(() => e!.dt.sentMessages().find((m) => m.via === 'group' && textOf(m) === '[boss] pong'), 'group send');
    expect(group.conversationId).toBe(GROUP_CHAT);
    const oto = await waitFor(() => e!.dt.sentMessages().find((m) => m.via === 'oto' && textOf(m) === '[boss] pong'), 'single chat send');
    expect(oto.userIds).toEqual([ALICE.senderStaffId]);
  });

  it('forwards files, pictures and voice from DingTalk into the blob store as attachments', async () => {
    e = await startE2E();
    await e.subscribe(SINGLE, single);
    const pdf = Buffer.from('%PDF-1.4 quarterly numbers');
    e.dt.injectMessage({ ...ALICE, ...single, file: { content: pdf, fileName: 'Q3 报告.pdf' } });
    const withFile = await waitFor(async () => (await e!.fromPeople()).find((m) => (m.data['attachments'] as unknown[]).length > 0), 'file in ledger');
    const [att] = withFile.data['attachments'] as { path: string; title: string; bytes: number; sha256: string }[];
    const sha = createHash('sha256').update(pdf).digest('hex');
    expect(att).toMatchObject({ title: 'Q3 报告.pdf', bytes: pdf.length, sha256: sha, mime_type: 'application/pdf', kind: 'file' });
    expect(att!.path).toBe(`state/blobs/${sha}_Q3_.pdf`);
    expect(withFile.data['text']).toBe('[file] Q3 报告.pdf');
    expect((await readFile(join(e.cccc.groupDir(), att!.path))).equals(pdf)).toBe(true);

    e.dt.injectMessage({
      ...ALICE,
      ...single,
      msgtype: 'audio',
      content: { downloadCode: e.dt.addFile(Buffer.from('#!AMR voice')).downloadCode, recognition: '明天上午开会', duration: 2000 },
    });
    const voice = await waitFor(async () => (await e!.fromPeople()).find((m) => m.data['text'] === '明天上午开会'), 'voice with recognition');
    expect((voice.data['attachments'] as unknown[]).length).toBe(1);
  });

  it('refuses a file over the size cap with a clear reply and stores nothing', async () => {
    e = await startE2E({ settings: { maxFileMb: 0.001 } });
    await e.subscribe(SINGLE, single);
    e.dt.injectMessage({ ...ALICE, ...single, file: { content: Buffer.alloc(5_000, 7), fileName: 'big.zip' } });
    await e.reply(/big\.zip」超过 0 MB/, SINGLE);
    await expectQuietFor(200, 'nothing from people in the ledger', async () => (await e!.fromPeople()).length === 0);
    expect(await e.fromPeople()).toEqual([]);
  });

  it('uploads an agent attachment and sends it after its caption', async () => {
    e = await startE2E();
    await e.subscribe();
    const content = Buffer.from('%PDF-1.4 design doc');
    const sha = createHash('sha256').update(content).digest('hex');
    const rel = `state/blobs/${sha}_design.pdf`;
    await mkdir(join(e.cccc.groupDir(), 'state', 'blobs'), { recursive: true });
    await writeFile(join(e.cccc.groupDir(), rel), content);
    await e.cccc.speak('boss', 'Design attached', { to: ['user'], attachments: [{ path: rel, title: 'design.pdf', kind: 'file' }] });
    const file = await waitFor(() => e!.dt.sentMessages().find((m) => m.msgKey === 'sampleFile'), 'file message');
    expect(file.msgParam).toMatchObject({ fileName: 'design.pdf', fileType: 'pdf' });
    expect(e.dt.uploadedMedia()[0]).toMatchObject({ sha256: sha, fileName: 'design.pdf' });
    const order = e.dt.sentMessages().map((m) => m.msgKey);
    expect(order.indexOf('text') === -1 ? order.indexOf('sampleText') : order.indexOf('text')).toBeLessThan(order.indexOf('sampleFile'));
  });

  it('applies the access policy: refuses non-admins politely and records the refusal', async () => {
    e = await startE2E({ settings: { access: { mode: 'admins' } } });
    e.say('/subscribe', { isAdmin: true });
    await e.reply(/cccc im bind/);
    const [p] = (await e.bridge.inspect()).pending;
    await e.bridge.approve(p!.key);
    e.dt.clearSent();
    e.say('please deploy', { isAdmin: false, senderStaffId: 'staff-bob', senderNick: 'Bob' });
    const refusal = await e.reply(/只有钉钉管理员/);
    expect(textOf(refusal)).toContain('staff-bob');
    await expectQuietFor(
      200,
      'the refused message kept out of the ledger',
      async () => !(await e!.fromPeople()).some((m) => m.data['text'] === 'please deploy'),
    );
    expect((await e.fromPeople()).some((m) => m.data['text'] === 'please deploy')).toBe(false);
    e.say('/help', { isAdmin: false, senderStaffId: 'staff-bob' });
    await e.reply(/CCCC 命令/);
  });

  it('keeps a message while CCCC is down, tells the person, and delivers it once CCCC is back', async () => {
    e = await startE2E({ services: { delivery: { slowNoticeMs: 300 }, daemonPollMs: 100 } });
    await e.subscribe();
    await e.cccc.stopDaemon();
    e.say('are you there?');
    await e.reply(/CCCC 没有运行/);
    await e.cccc.restart();
    const asked = async () => (await e!.fromPeople()).filter((m) => m.data['text'] === 'are you there?');
    await waitFor(async () => (await asked()).length > 0, 'delivered after restart', 10_000);
    await expectQuietFor(300, 'delivered once', async () => (await asked()).length === 1);
    expect(await asked()).toHaveLength(1);
  });

  it('drops redelivered DingTalk messages: one ledger entry per msgId', async () => {
    e = await startE2E({ dingtalk: { redeliveryDelayMs: 50, maxRedeliveries: 2 } });
    await e.subscribe();
    e.dt.setFault({ dropAcks: true });
    const m = e.say('only once');
    await waitFor(() => e!.dt.deliveries().filter((d) => d.msgId === m.msgId).length >= 3, 'redeliveries');
    const entries = async () => (await e!.fromPeople()).filter((x) => x.data['text'] === 'only once').length;
    await waitFor(async () => (await entries()) > 0, 'the message in the ledger');
    await expectQuietFor(200, 'one ledger entry', async () => (await entries()) === 1);
    expect((await e.fromPeople()).filter((x) => x.data['text'] === 'only once')).toHaveLength(1);
  });

  it('resumes after a restart without losing or repeating agent messages', async () => {
    e = await startE2E();
    await e.subscribe();
    await e.cccc.speak('boss', 'before restart', { to: ['user'] });
    await e.reply('before restart');
    await e.bridge.stop();
    await e.cccc.speak('boss', 'while stopped', { to: ['user'] });
    await e.restartBridge();
    await e.reply('while stopped');
    await e.cccc.speak('boss', 'after restart', { to: ['user'] });
    await e.reply('after restart');
    const fromBoss = () => e!.texts().filter((t) => t.startsWith('[boss]'));
    await expectQuietFor(300, 'no agent message repeated', () => fromBoss().length === 3);
    const texts = fromBoss();
    expect(texts).toEqual(['[boss] before restart', '[boss] while stopped', '[boss] after restart']);
  });
});

describe('every inbound message type', () => {
  it('forwards rich text with pictures, pictures and video as attachments with their text', async () => {
    e = await startE2E();
    await e.subscribe(SINGLE, single);
    const png = Buffer.from('\x89PNG fake image');
    const picture = e.dt.addFile(png, { fileName: 'shot.png' });
    e.dt.injectMessage({
      ...ALICE,
      ...single,
      msgtype: 'richText',
      content: { richText: [{ text: '看这个报错：' }, { type: 'picture', downloadCode: picture.downloadCode, pictureDownloadCode: picture.downloadCode }] },
    });
    const rich = await waitFor(async () => (await e!.fromPeople()).find((m) => m.data['text'] === '看这个报错：'), 'rich text in ledger');
    expect(rich.data['attachments']).toEqual([expect.objectContaining({ kind: 'image', bytes: png.length, mime_type: 'image/png' })]);

    e.dt.injectMessage({ ...ALICE, ...single, picture: { content: png } });
    const pic = await waitFor(async () => (await e!.fromPeople()).find((m) => String(m.data['text']).startsWith('[image]')), 'picture in ledger');
    expect((pic.data['attachments'] as unknown[]).length).toBe(1);

    const video = e.dt.addFile(Buffer.from('fake mp4 bytes'), { fileName: 'clip.mp4' });
    e.dt.injectMessage({ ...ALICE, ...single, msgtype: 'video', content: { downloadCode: video.downloadCode, duration: '5', videoType: 'mp4' } });
    const vid = await waitFor(async () => (await e!.fromPeople()).find((m) => String(m.data['text']).includes('.mp4')), 'video in ledger');
    expect(vid.data['attachments']).toEqual([expect.objectContaining({ mime_type: 'video/mp4' })]);
  });

  it('delivers every agent message, in order, when DingTalk throttles (403 QpsLimit)', async () => {
    e = await startE2E({ dingtalk: { qpsLimit: 3 } });
    await e.subscribe();
    e.dt.setFault({ webhookExpired: true });
    for (let i = 0; i < 12; i++) await e.cccc.speak('boss', `burst ${i}`, { to: ['user'] });
    await waitFor(() => e!.texts().filter((t) => t.startsWith('[boss] burst')).length === 12, 'all 12 delivered', 15_000);
    expect(e.texts().filter((t) => t.startsWith('[boss] burst'))).toEqual(Array.from({ length: 12 }, (_, i) => `[boss] burst ${i}`));
    expect(e.dt.requests().some((r) => r.status === 403)).toBe(true);
  }, 30_000);
});
