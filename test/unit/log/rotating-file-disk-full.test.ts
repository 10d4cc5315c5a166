import { expect, it } from 'vitest';
import { RotatingFile } from '../../../electron/core/log/rotating-file';
import { describeOnTmpfs } from '../../helpers/tmpfs';

describeOnTmpfs('log and audit files on a full disk', 64, (tmpfs) => {
  it('a line that did not fit leaves nothing behind, so the next one is whole', async () => {
    const file = new RotatingFile({ dir: tmpfs().dir, name: 'audit' });
    await file.append(`${JSON.stringify({ n: 0 })}\n`);
    await tmpfs().fill();
    const failed: number[] = [];
    for (let n = 1; n <= 5; n++) await file.append(`${JSON.stringify({ n, pad: 'x'.repeat(900) })}\n`).catch(() => failed.push(n));
    expect(failed.length).toBeGreaterThan(0);
    await tmpfs().free();
    await file.append(`${JSON.stringify({ n: 6 })}\n`);
    const lines = (await file.read(0)).split('\n').filter(Boolean);
    const parsed = lines.map((l) => (JSON.parse(l) as { n: number }).n);
    expect(parsed).toEqual([0, 1, 2, 3, 4, 5, 6].filter((n) => !failed.includes(n)));
  });
});
