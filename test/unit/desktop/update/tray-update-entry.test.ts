import { describe, expect, it } from 'vitest';
import { trayModel } from '../../../../electron/desktop/tray/model';
import { updateMenuItem } from '../../../../electron/desktop/update';

const base = { bridges: [], language: 'en' as const, launchAtLogin: false };

describe('tray menu: the update entry', () => {
  it('absent when the build does not update itself (development)', () => {
    const labels = trayModel(base).items.map((i) => ('label' in i ? i.label : '-'));
    expect(labels).toContain('Quit');
    expect(labels.some((l) => /update/i.test(l))).toBe(false);
  });

  it('after "Launch at login", before Quit: check, progress (greyed out), restart to install', () => {
    const check = trayModel({ ...base, update: updateMenuItem({ kind: 'idle' }, 'en') }).items;
    const at = check.findIndex((i) => i.kind === 'checkbox');
    expect(check.slice(at + 1)).toEqual([
      { kind: 'action', label: 'Check for updates…', action: { type: 'check-updates' } },
      { kind: 'separator' },
      { kind: 'action', label: 'Quit', action: { type: 'quit' } },
    ]);
    const downloading = trayModel({ ...base, update: updateMenuItem({ kind: 'downloading', version: '1.2.0', percent: 10, manual: false }, 'en') }).items;
    expect(downloading).toContainEqual({ kind: 'status', label: 'Downloading 1.2.0… 10%' });
    const ready = trayModel({ ...base, language: 'zh', update: updateMenuItem({ kind: 'ready', version: '1.2.0' }, 'zh') }).items;
    expect(ready).toContainEqual({ kind: 'action', label: '重启以更新到 1.2.0', action: { type: 'install-update' } });
  });
});
