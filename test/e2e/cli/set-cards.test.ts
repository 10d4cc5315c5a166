/**
 * The card settings in the CLI: `set --cards`, `--card-template`, `--button-cards`,
 * `--button-card-template`, `--approver` / `--no-approvers`, each with a value it refuses, and
 * `status` / `doctor` saying them — in English and in 中文 (the locale's language).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Check } from '../../../electron/cli/doctor/report';
import type { BridgeSettings } from '../../../electron/core/bridge/settings';
import { startWorld, type World } from './helpers';

const TEMPLATE = '5d2f3c1a-8b7e-4c6d-9a0b-1c2d3e4f5a6b.schema';
const AI_TEMPLATE = '382e4302-551d-4880-bf29-a30acfab2e71.schema';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

async function saved(world: World): Promise<BridgeSettings> {
  const config = JSON.parse(await readFile(join(world.configHome, 'config.json'), 'utf8')) as { bridges: { settings: BridgeSettings }[] };
  return config.bridges[0]!.settings;
}

describe('cccc-dingtalk set: the card settings', () => {
  it('--cards and --card-template: live answers on or off, their template or DingTalk’s public one', async () => {
    w = await startWorld();
    const off = await w.configure(['--cards', 'off', '--card-template', TEMPLATE]);
    expect(off.code).toBe(0);
    expect(off.stdout).toContain('  Cards:       off — answers go out as messages');
    expect(await saved(w)).toMatchObject({ cards: false, cardTemplateId: TEMPLATE });

    const on = await w.cli(['set', '--cards', 'ON', '--card-template', 'default']);
    expect(on.stdout).toContain(`  Cards:       live answers in AI cards, template ${AI_TEMPLATE} (DingTalk's public one)`);
    expect(await saved(w)).toMatchObject({ cards: true, cardTemplateId: AI_TEMPLATE });

    const maybe = await w.cli(['set', '--cards', 'maybe']);
    expect(maybe.code).toBe(1);
    expect(maybe.stderr).toContain('Error: --cards takes on or off, not "maybe"');
    const bad = await w.cli(['set', '--card-template', 'my card']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Error: --card-template: "my card" is not a card template id');
    expect(bad.stderr).toContain('ending in .schema (like 382e4302-551d-4880-bf29-a30acfab2e71.schema); or "default".');
    // Nothing was saved by the refusals.
    expect(await saved(w)).toMatchObject({ cards: true, cardTemplateId: AI_TEMPLATE });
  }, 30_000);

  it('--button-cards and --button-card-template: buttons once a template is named, "none" for plain replies', async () => {
    w = await startWorld();
    const plain = await w.configure();
    expect(plain.stdout).toContain('  Buttons:     no template yet — /subscribe, /status and /help answer as messages');

    const set = await w.cli(['set', '--button-card-template', TEMPLATE]);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(`  Buttons:     /subscribe, /status and /help as cards with buttons, template ${TEMPLATE}`);
    expect(await saved(w)).toMatchObject({ buttonCards: true, buttonCardTemplateId: TEMPLATE });

    expect((await w.cli(['set', '--button-cards', 'off'])).stdout).toContain('  Buttons:     off — /subscribe, /status and /help answer as messages');
    expect((await w.cli(['set', '--button-cards', 'on', '--button-card-template', 'none'])).code).toBe(0);
    expect(await saved(w)).toMatchObject({ buttonCards: true, buttonCardTemplateId: '' });

    const bad = await w.cli(['set', '--button-card-template', TEMPLATE.replace('.schema', '')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`Error: --button-card-template: "${TEMPLATE.replace('.schema', '')}" is not a card template id`);
    expect(bad.stderr).toContain('or "none".');
    expect((await w.cli(['set', '--button-cards', 'yes'])).stderr).toContain('Error: --button-cards takes on or off, not "yes"');
  }, 30_000);

  it('--approver (repeated) names the approvers, --no-approvers clears them; a staff id with a space is refused', async () => {
    w = await startWorld();
    const set = await w.configure(['--approver', 'staff-ann', '--approver', 'staff-bob', '--approver', 'staff-ann']);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('  Approvers:   staff-ann, staff-bob');
    expect(set.stdout).toContain('Note: staff-ann, staff-bob have not written to the robot yet — check the staff ids.');
    expect(await saved(w)).toMatchObject({ approvers: ['staff-ann', 'staff-bob'] });

    const bad = await w.cli(['set', '--approver', 'staff ann']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Error: --approver takes one staff id; "staff ann" is not one');
    expect(bad.stderr).toContain('repeat --approver for each person');
    expect((await w.cli(['set', '--approver', 'x', '--no-approvers'])).stderr).toContain('Error: Give --approver or --no-approvers, not both');
    expect(await saved(w)).toMatchObject({ approvers: ['staff-ann', 'staff-bob'] });

    const cleared = await w.cli(['set', '--no-approvers']);
    expect(cleared.stdout).toContain("  Approvers:   nobody — approval stays in the app, the CLI and CCCC's Web UI");
    expect(await saved(w)).toMatchObject({ approvers: [] });
  }, 30_000);

  it('`status` and `doctor` say the card settings, in English and in 中文', async () => {
    w = await startWorld();
    await w.configure(['--approver', 'staff-ann']);
    const doctor = JSON.parse((await w.cli(['doctor', '--json'])).stdout) as { checks: Check[] };
    expect(doctor.checks.find((c) => c.id === 'button_cards')).toEqual({
      id: 'button_cards',
      status: 'skip',
      message: 'Buttons on cards: no template yet — /subscribe, /status and /help answer as messages; Approvers: staff-ann',
      hint: 'Make the template in the card platform (卡片平台, https://open-dev.dingtalk.com/fe/card), then: cccc-dingtalk set --button-card-template ID',
    });
    await w.cli(['set', '--button-card-template', TEMPLATE]);
    const ok = JSON.parse((await w.cli(['doctor', '--json'])).stdout) as { checks: Check[] };
    expect(ok.checks.find((c) => c.id === 'button_cards')?.status).toBe('ok');

    const status = await w.cli(['status']);
    expect(status.stdout).toContain(`  Cards:       live answers in AI cards, template ${AI_TEMPLATE} (DingTalk's public one)`);
    expect(status.stdout).toContain(`  Buttons:     /subscribe, /status and /help as cards with buttons, template ${TEMPLATE}`);
    expect(status.stdout).toContain('  Approvers:   staff-ann');
    const json = JSON.parse((await w.cli(['status', '--json'])).stdout) as { cards: unknown };
    expect(json.cards).toEqual({ cards: true, cardTemplateId: AI_TEMPLATE, buttonCards: true, buttonCardTemplateId: TEMPLATE, approvers: ['staff-ann'] });

    const zh = await w.cli(['status'], { env: { LANG: 'zh_CN.UTF-8' } });
    expect(zh.stdout).toContain(`  卡片按钮：   /subscribe、/status 和 /help 以带按钮的卡片回复，模板 ${TEMPLATE}`);
    expect(zh.stdout).toContain('  审批人：     staff-ann');
    expect((await w.cli(['set', '--cards', '开'], { env: { LANG: 'zh_CN.UTF-8' } })).stderr).toContain('Error: --cards 只能是 on 或 off，不能是 "开"');
  }, 40_000);
});
