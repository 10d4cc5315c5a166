import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveGroupFile } from '../../../../electron/core/cccc/blobs/resolve';
import { blobFileName, sanitizeFilename } from '../../../../electron/core/cccc/blobs/sanitize';
import { blobsDir, storeBlob } from '../../../../electron/core/cccc/blobs/store';
import { resolveChatText } from '../../../../electron/core/cccc/ledger/chat-text';
import type { LedgerEvent } from '../../../../electron/core/cccc/ledger/event';
import { chatMessageData, makeEvent } from '../../../fakes/cccc/ledger';
import { GROUP_ID, tempGroup, type TempGroup } from '../helpers';

let g: TempGroup;
afterEach(async () => g?.cleanup());

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** A stream that yields `total` bytes in chunks and records how far it was read. */
function byteStream(total: number, chunk = 64 * 1024): Readable & { produced: () => number } {
  let produced = 0;
  const r = new Readable({
    read() {
      if (produced >= total) return void this.push(null);
      const n = Math.min(chunk, total - produced);
      produced += n;
      this.push(Buffer.alloc(n, 0x61));
    },
  });
  return Object.assign(r, { produced: () => produced });
}

describe('sanitizeFilename (CCCC kernel/blobs.py rules)', () => {
  // Expected values checked against CCCC's own sanitize_filename (0.4.x).
  it.each([
    ['report.pdf', 'report.pdf'],
    ['报告 2024 (final).pdf', '_2024_final_.pdf'],
    ['中文.txt', 'file.txt'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\alice\\My Photo.PNG', 'My_Photo.PNG'],
    ['', 'file'],
    ['   ', 'file'],
    ['中文', 'file'],
    ['.bashrc', '.bashrc'],
    ['_.txt', 'file.txt'],
    ['a..b', 'a..b'],
    ['dir/', 'file'],
    ['😀😀.jpeg', 'file.jpeg'],
    ['\x1cabc\x1c', 'abc'],
    ['\uFEFFabc', '_abc'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeFilename(input)).toBe(expected);
  });

  it('caps names at 120 characters', () => {
    expect(sanitizeFilename('x'.repeat(300) + '.png')).toBe('x'.repeat(120));
  });
});

describe('blobFileName', () => {
  it('drops the digest of state/blobs/<sha256>_<name>', () => {
    expect(blobFileName(`state/blobs/${'a'.repeat(64)}_file.pdf`)).toBe('file.pdf');
    expect(blobFileName('state/blobs/plain.pdf')).toBe('plain.pdf');
  });
});

describe('storeBlob', () => {
  it('writes state/blobs/<sha256>_<name> atomically and returns the attachment record send expects', async () => {
    g = await tempGroup();
    const data = Buffer.from('hello 钉钉 file\n');
    const att = await storeBlob(g.groupDir, Readable.from([data]), { filename: '会议 notes.txt', mimeType: 'text/plain', maxBytes: 1024 });
    expect(att).toEqual({
      kind: 'file',
      path: `state/blobs/${sha(data)}__notes.txt`,
      title: '_notes.txt',
      mime_type: 'text/plain',
      bytes: data.length,
      sha256: sha(data),
    });
    expect(await readFile(join(g.groupDir, att.path))).toEqual(data);
    expect(await readdir(blobsDir(g.groupDir))).toEqual([`${sha(data)}__notes.txt`]);
  });

  it('marks images by MIME type and lets the caller override the kind', async () => {
    g = await tempGroup();
    const img = await storeBlob(g.groupDir, Readable.from([Buffer.from('PNG')]), { filename: 'a.png', mimeType: 'image/png', maxBytes: 10 });
    expect(img.kind).toBe('image');
    const voice = await storeBlob(g.groupDir, Readable.from([Buffer.from('AMR')]), { filename: 'v.amr', mimeType: 'audio/amr', kind: 'audio', maxBytes: 10 });
    expect(voice.kind).toBe('audio');
  });

  it('dedups: the same content and name is stored once and not rewritten', async () => {
    g = await tempGroup();
    const data = Buffer.from('same');
    const a = await storeBlob(g.groupDir, Readable.from([data]), { filename: 'x.bin', maxBytes: 100 });
    // Mark the stored file: a rewrite would replace it.
    await writeFile(join(g.groupDir, a.path), 'same');
    const b = await storeBlob(g.groupDir, Readable.from([data]), { filename: 'x.bin', maxBytes: 100 });
    expect(b).toEqual(a);
    expect(await readdir(blobsDir(g.groupDir))).toHaveLength(1);
  });

  it('over the cap: a typed error, reading stops early, nothing half-stored', async () => {
    g = await tempGroup();
    const src = byteStream(50 * 1024 * 1024);
    await expect(storeBlob(g.groupDir, src, { filename: 'big.zip', maxBytes: 1024 * 1024 })).rejects.toMatchObject({
      code: 'cccc.blob_too_large',
      retryable: false,
    });
    expect(src.produced()).toBeLessThan(4 * 1024 * 1024);
    expect(await readdir(blobsDir(g.groupDir))).toEqual([]);
  });

  it('a broken download leaves nothing behind', async () => {
    g = await tempGroup();
    const broken = new Readable({
      read() {
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(storeBlob(g.groupDir, broken, { filename: 'a.txt', maxBytes: 100 })).rejects.toThrow('connection reset');
    expect(await readdir(blobsDir(g.groupDir))).toEqual([]);
  });
});

describe('resolveGroupFile', () => {
  async function blob(name: string, content = 'x'): Promise<string> {
    await mkdir(blobsDir(g.groupDir), { recursive: true });
    await writeFile(join(blobsDir(g.groupDir), name), content);
    return `state/blobs/${name}`;
  }

  it('resolves a blob path (either separator) to an absolute path with its size', async () => {
    g = await tempGroup();
    const rel = await blob('abc_report.pdf', '12345');
    const r = await resolveGroupFile(g.groupDir, rel);
    expect(r.bytes).toBe(5);
    expect(r.path.endsWith('abc_report.pdf')).toBe(true);
    expect((await resolveGroupFile(g.groupDir, 'state\\blobs\\abc_report.pdf')).path).toBe(r.path);
  });

  it.each([
    ['state/blobs/../../group.yaml', 'parent segment'],
    ['../other-group/state/blobs/x', 'parent segment'],
    ['/etc/passwd', 'absolute'],
    ['C:\\Windows\\win.ini', 'absolute'],
    ['ledger.jsonl', 'not under state/blobs'],
    ['state/blobs', 'not under state/blobs'],
    ['', 'empty'],
  ])('rejects %j (%s)', async (rel, why) => {
    g = await tempGroup();
    await expect(resolveGroupFile(g.groupDir, rel)).rejects.toMatchObject({ code: 'cccc.attachment_path_invalid', details: { why } });
  });

  it('rejects a symlink that leads outside the blob store', async () => {
    g = await tempGroup();
    await mkdir(blobsDir(g.groupDir), { recursive: true });
    await writeFile(join(g.root, 'secret.txt'), 'secret');
    await symlink(join(g.root, 'secret.txt'), join(blobsDir(g.groupDir), 'evil.txt'));
    await expect(resolveGroupFile(g.groupDir, 'state/blobs/evil.txt')).rejects.toMatchObject({ details: { why: 'symlink escape' } });
  });

  it('rejects a blob store that is itself a symlink elsewhere', async () => {
    g = await tempGroup();
    await mkdir(join(g.root, 'elsewhere'), { recursive: true });
    await writeFile(join(g.root, 'elsewhere', 'x.txt'), 'x');
    await mkdir(join(g.groupDir, 'state'), { recursive: true });
    await symlink(join(g.root, 'elsewhere'), blobsDir(g.groupDir));
    await expect(resolveGroupFile(g.groupDir, 'state/blobs/x.txt')).rejects.toMatchObject({ code: 'cccc.attachment_path_invalid' });
  });

  it('reports a missing file with its own code', async () => {
    g = await tempGroup();
    await mkdir(blobsDir(g.groupDir), { recursive: true });
    await expect(resolveGroupFile(g.groupDir, 'state/blobs/gone.txt')).rejects.toMatchObject({ code: 'cccc.attachment_missing' });
  });
});

describe('resolveChatText (text over 32,000 bytes)', () => {
  function spilledEvent(path: string): LedgerEvent {
    const ev = makeEvent(GROUP_ID, 'chat.message', 'peer1', chatMessageData(`[cccc] (chat text stored at ${path})`, ['user']));
    ev.data.attachments = [{ kind: 'text', path, bytes: 40000, sha256: 'x' }];
    return ev as LedgerEvent;
  }

  it('reads the full text back from state/ledger/blobs', async () => {
    g = await tempGroup();
    const full = '长文本\n'.repeat(5000) + 'end';
    const ev = spilledEvent('');
    const path = `state/ledger/blobs/chat.${ev.id}.txt`;
    const spilled = spilledEvent(path);
    await mkdir(join(g.groupDir, 'state', 'ledger', 'blobs'), { recursive: true });
    await writeFile(join(g.groupDir, path), full + '\n');
    expect(await resolveChatText(g.groupDir, spilled)).toEqual({ text: full, spillPath: path });
  });

  it('leaves inline text alone', async () => {
    g = await tempGroup();
    const ev = makeEvent(GROUP_ID, 'chat.message', 'peer1', chatMessageData('short', ['user'])) as LedgerEvent;
    expect(await resolveChatText(g.groupDir, ev)).toEqual({ text: 'short', spillPath: null });
  });

  it('refuses a spill file that is a symlink out of the group', async () => {
    g = await tempGroup();
    const path = 'state/ledger/blobs/chat.0123abcd.txt';
    await mkdir(join(g.groupDir, 'state', 'ledger', 'blobs'), { recursive: true });
    await writeFile(join(g.root, 'secret.txt'), 'secret');
    await symlink(join(g.root, 'secret.txt'), join(g.groupDir, path));
    await expect(resolveChatText(g.groupDir, spilledEvent(path))).rejects.toMatchObject({ code: 'cccc.attachment_path_invalid' });
  });

  it('ignores a pointer whose attachment path is not a CCCC spill path', async () => {
    g = await tempGroup();
    const ev = spilledEvent('../../../etc/passwd');
    expect(await resolveChatText(g.groupDir, ev)).toEqual({ text: ev.data.text, spillPath: null });
  });
});
