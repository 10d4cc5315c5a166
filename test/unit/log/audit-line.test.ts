import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, type AuditEntry } from '../../../electron/core/log/audit';
import { auditLine } from '../../../electron/core/log/audit-line';
import { memoryLogger } from '../../../electron/core/log/logger';

const inbound: AuditEntry = {
  direction: 'in',
  chatId: 'cidA',
  chatType: 'group',
  kind: 'send',
  sender: { id: 'staff-ann', nick: 'Ann' },
  chars: 11,
  ref: 'msg1',
  content: 'hello agent',
};

describe('auditLine: an audit record as the Info line an admin reads', () => {
  it('messages in and out: chat, sender or recipients, size, outcome — no content', () => {
    expect(auditLine(inbound, false)).toEqual({
      msg: 'Message in',
      fields: { chat: 'cidA', chatType: 'group', kind: 'send', sender: 'staff-ann', nick: 'Ann', chars: 11, ref: 'msg1' },
    });
    const out: AuditEntry = {
      direction: 'out',
      chatId: 'cidB',
      chatType: 'single',
      kind: 'file',
      recipients: ['staff-ann'],
      bytes: 2048,
      result: { ok: true, via: 'openapi' },
      content: 'report.pdf',
    };
    expect(auditLine(out, false)).toEqual({
      msg: 'Message out',
      fields: { chat: 'cidB', chatType: 'single', kind: 'file', to: 'staff-ann', bytes: 2048, via: 'openapi' },
    });
    expect(auditLine({ ...out, result: { ok: false, code: 'dingtalk.no_permission' } }, false)).toMatchObject({
      msg: 'Message out failed',
      fields: { code: 'dingtalk.no_permission' },
    });
  });

  it('refusals say who and why', () => {
    expect(auditLine({ ...inbound, refusal: { code: 'access_policy', reason: 'allowlist' } }, false)).toMatchObject({
      msg: 'Refused a message',
      fields: { chat: 'cidA', sender: 'staff-ann', nick: 'Ann', why: 'access_policy', reason: 'allowlist' },
    });
  });

  it('content only with the audit setting', () => {
    expect(auditLine(inbound, true).fields['content']).toBe('hello agent');
    expect(JSON.stringify(auditLine(inbound, false))).not.toContain('hello agent');
  });
});

describe('AuditLog logs each record at Info', () => {
  it('through its logger, content as the audit setting says', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audit-line-'));
    try {
      for (const includeContent of [false, true]) {
        const log = memoryLogger();
        const audit = new AuditLog({ dir: join(dir, String(includeContent)), includeContent, logger: log });
        audit.record(inbound);
        await audit.close();
        expect(log.records).toEqual([expect.objectContaining({ level: 'info', scope: 'test.audit', msg: 'Message in' })]);
        expect(log.records[0]?.fields?.['content']).toBe(includeContent ? 'hello agent' : undefined);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
