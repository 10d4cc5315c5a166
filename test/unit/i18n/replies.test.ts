import { describe, expect, it } from 'vitest';
import { REPLIES, type ReplyLanguage } from '../../../electron/core/i18n/replies';
import { en } from '../../../renderer/src/i18n/en';
import { zh } from '../../../renderer/src/i18n/zh';

const UI = { en, zh } as const;

describe.each(['en', 'zh'] as ReplyLanguage[])('the robot’s refusals (%s)', (lang) => {
  const t = REPLIES[lang];
  const ui = UI[lang].settings;

  it('name the setting exactly as the Settings page labels it', () => {
    expect(t.accessDenied('admins', 'staff-1')).toContain(ui.access);
    expect(t.accessDenied('admins', 'staff-1')).toContain(ui.accessModes.admins);
    expect(t.accessDenied('allowlist', undefined)).toContain(ui.accessModes.allowlist);
    expect(t.fileTooLarge('a.pdf', 10)).toContain(ui.maxFileMb);
    expect(t.tooLong(5000, 4000)).toContain(ui.maxMessageChars);
  });
});

describe('replies in one language', () => {
  // Words the robot may say in either language: commands, CCCC's own names, units.
  const ANY = /\/[a-z]+|@[\w-]+|CCCC|DingTalk|Web UI|MB|ID|foreman|cccc im bind|[a-z]+:\/\/\S+|`[^`]*`/g;

  it('Chinese replies carry no English status words', () => {
    const zh = REPLIES.zh;
    const texts = [
      zh.status({
        groupTitle: '项目',
        groupId: 'g',
        state: 'stopped',
        running: false,
        actors: [{ id: 'a', title: '甲', role: 'peer', running: false }],
        chat: { subscribed: true, verbose: true, paused: true },
      }),
      zh.notSubscribed(true),
      zh.notSubscribed(false),
      zh.pausedHeld(),
      zh.taskStatus('done'),
      ...Object.values(zh.titles),
    ];
    for (const text of texts) expect(text.replace(ANY, '')).not.toMatch(/[A-Za-z]{3,}/);
  });

  it('English replies carry no Chinese', () => {
    const en = REPLIES.en;
    const texts = [en.notSubscribed(true), en.notSubscribed(false), en.pausedHeld(), en.taskStatus('done'), ...Object.values(en.titles)];
    for (const text of texts) expect(text).not.toMatch(/\p{Script=Han}/u);
  });
});
