import { mkdtemp, rm, truncate, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareFile } from '../../../../electron/core/bridge/outbox/file-prep';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-prep-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const put = async (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
};

describe('prepareFile', () => {
  it('picks the upload type from the extension', async () => {
    expect(await prepareFile(await put('r.pdf', '%PDF-1.4'), 'report.pdf')).toMatchObject({ type: 'file', name: 'report.pdf', zipped: false });
    expect(await prepareFile(await put('p.PNG', 'png'), 'shot.PNG')).toMatchObject({ type: 'image', name: 'shot.PNG' });
    expect(await prepareFile(await put('v.mp4', 'mp4'), 'clip.mp4')).toMatchObject({ type: 'video' });
    expect(await prepareFile(await put('a.mp3', 'mp3'), 'note.mp3')).toMatchObject({ type: 'voice' });
  });

  it('uploads .jpeg images under .jpg, the name DingTalk knows', async () => {
    expect(await prepareFile(await put('x.jpeg', 'jpg'), 'photo.JPEG')).toMatchObject({ type: 'image', name: 'photo.jpg' });
  });

  it('zips a file DingTalk takes under no type, losslessly, as <name>.zip', async () => {
    const content = 'fn main() {}\n'.repeat(1000);
    const prepared = await prepareFile(await put('main.rs', content), 'main.rs');
    expect(prepared).toMatchObject({ type: 'file', name: 'main.rs.zip', zipped: true });
    expect(prepared.data.length).toBeLessThan(content.length);
    const unzipped = unzipSync(prepared.data);
    expect(Object.keys(unzipped)).toEqual(['main.rs']);
    expect(Buffer.from(unzipped['main.rs']!).toString()).toBe(content);
  });

  it('refuses files over the limit before reading them, with a clear problem', async () => {
    const path = await put('big.pdf', '');
    await truncate(path, 21 * 1024 * 1024);
    await expect(prepareFile(path, 'big.pdf')).rejects.toMatchObject({
      code: 'dingtalk.media_too_large',
      retryable: false,
      message: expect.stringContaining('big.pdf is too large'),
    });
    const bigLog = await put('huge.log', '');
    await truncate(bigLog, 3 * 1024);
    await expect(prepareFile(bigLog, 'huge.log', 1024)).rejects.toMatchObject({ code: 'dingtalk.media_too_large', retryable: false });
  });

  it('says so when the file is gone, empty, or not a file — none of which waiting fixes', async () => {
    await expect(prepareFile(join(dir, 'nope.pdf'), 'nope.pdf')).rejects.toMatchObject({ code: 'outbox.file_missing', retryable: false });
    await expect(prepareFile(await put('e.pdf', ''), 'e.pdf')).rejects.toMatchObject({ code: 'dingtalk.media_empty', retryable: false });
    await mkdir(join(dir, 'folder.zip'));
    await expect(prepareFile(join(dir, 'folder.zip'), 'folder.zip')).rejects.toMatchObject({ code: 'outbox.not_a_file', retryable: false });
  });
});
