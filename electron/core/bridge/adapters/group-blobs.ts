/** BlobPort over CCCC's attachment store in one group directory. */
import type { Readable } from 'node:stream';
import { resolveGroupFile } from '../../cccc/blobs/resolve';
import { storeBlob } from '../../cccc/blobs/store';
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import { toProblem } from '../../errors';
import type { Attachment, BlobPort } from '../ports';

export class GroupBlobs implements BlobPort {
  private readonly log: Logger;

  constructor(
    private readonly groupDir: string,
    logger?: Logger,
  ) {
    this.log = (logger ?? silentLogger).child('blobs');
  }

  async store(input: Readable, file: { fileName: string; mimeType?: string; maxBytes: number }): Promise<Attachment> {
    const stored = await storeBlob(this.groupDir, input, {
      filename: file.fileName,
      maxBytes: file.maxBytes,
      ...(file.mimeType ? { mimeType: file.mimeType } : {}),
    });
    // The path follows CCCC's naming; the title keeps the name the person gave the file (CJK included), for the agents.
    return { ...stored, title: file.fileName };
  }

  async resolve(path: string): Promise<string | undefined> {
    try {
      return (await resolveGroupFile(this.groupDir, path)).path;
    } catch (err) {
      const problem = toProblem(err);
      this.log.warn('Attachment not sent', { code: problem.code, path: path.slice(0, 200) });
      return undefined;
    }
  }
}
