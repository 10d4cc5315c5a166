import { createHash } from 'node:crypto';
import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatAddress, OutboxItem } from '../../../../electron/core/bridge/outbox';
import { waitFor } from '../../../helpers/wait';
import { startHarness, groupChat, singleChat, type Harness } from './harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ qpsLimit: 1000 });
});
afterEach(async () => h.close());

let n = 0;
async function fileItem(chat: ChatAddress, fileName: string, content: string | Buffer): Promise<OutboxItem> {
  n += 1;
  const path = join(h.dir, `f${n}-${fileName}`);
  await writeFile(path, content);
  return { id: `file-${n}`, chat, payload: { kind: 'file', path, fileName }, createdAt: Date.now() };
}

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

describe('outbox files', () => {
  it('uploads a document and sends it as a file message, an image as an image message', async () => {
    const box = await h.outbox();
    const chat = groupChat('F');
    const pdf = '%PDF-1.4 report';
    await box.enqueue([await fileItem(chat, 'report.pdf', pdf), await fileItem(singleChat('user001'), 'shot.png', 'PNG bytes')]);
    await box.idle();
    // Two chats deliver in parallel: look things up by name, not by arrival order.
    const media = h.dt.uploadedMedia();
    const pdfMedia = media.find((m) => m.fileName === 'report.pdf');
    const pngMedia = media.find((m) => m.fileName === 'shot.png');
    expect(media).toHaveLength(2);
    expect(pdfMedia).toMatchObject({ type: 'file', sha256: sha(pdf) });
    expect(pngMedia).toMatchObject({ type: 'image' });
    const sent = h.dt.sentMessages();
    expect(sent.find((m) => m.via === 'group')).toMatchObject({
      conversationId: 'cidGroupF',
      msgKey: 'sampleFile',
      msgParam: { mediaId: pdfMedia!.mediaId, fileName: 'report.pdf', fileType: 'pdf' },
    });
    expect(sent.find((m) => m.via === 'oto')).toMatchObject({ userIds: ['user001'], msgKey: 'sampleImageMsg', msgParam: { photoURL: pngMedia!.mediaId } });
    const audit = await h.audit.read();
    expect(audit.map((r) => [r.kind, r.bytes, r.result]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['file', pdf.length, { ok: true, via: 'group' }],
      ['image', 9, { ok: true, via: 'single' }],
    ]);
  });

  it('zips a file whose extension DingTalk does not accept and sends <name>.zip', async () => {
    const box = await h.outbox();
    await box.enqueue([await fileItem(groupChat('Z'), 'notes.md', '# notes\n'.repeat(200))]);
    await box.idle();
    expect(h.dt.uploadedMedia().map((m) => [m.type, m.fileName])).toEqual([['file', 'notes.md.zip']]);
    expect(h.dt.sentMessages()[0]).toMatchObject({ msgKey: 'sampleFile', msgParam: { fileName: 'notes.md.zip', fileType: 'zip' } });
  });

  it('reports a file over the limit or gone, without uploading, and goes on with the chat', async () => {
    const box = await h.outbox();
    const chat = groupChat('L');
    const big = await fileItem(chat, 'huge.pdf', '');
    if (big.payload.kind === 'file') await truncate(big.payload.path, 25 * 1024 * 1024);
    const gone: OutboxItem = { id: 'gone', chat, payload: { kind: 'file', path: join(h.dir, 'missing.pdf'), fileName: 'missing.pdf' }, createdAt: Date.now() };
    await box.enqueue([big, gone, await fileItem(chat, 'ok.pdf', 'fine')]);
    await box.idle();
    expect(h.failures.map((f) => f.problem.code)).toEqual(['dingtalk.media_too_large', 'outbox.file_missing']);
    expect(h.failures[0]!.problem.message).toMatch(/huge\.pdf is too large for DingTalk \(25\.0 MB, limit 20 MB/);
    expect(h.dt.uploadedMedia().map((m) => m.fileName)).toEqual(['ok.pdf']);
  });

  it('uploads once and retries only the send when the send is rate limited', async () => {
    const box = await h.outbox();
    h.dt.setFault({ otoFlowControlled: ['user009'] });
    await box.enqueue([await fileItem(singleChat('user009'), 'a.pdf', 'x')]);
    await waitFor(() => h.dt.requests().filter((r) => r.api === 'oToMessages.batchSend').length >= 2, 'a send retried after flow control');
    h.dt.clearFaults();
    await box.idle();
    expect(h.dt.uploadedMedia()).toHaveLength(1);
    expect(h.dt.sentMessages()).toHaveLength(1);
  });
});
