/**
 * The card settings in the CLI (`set --cards …`, `status`, `doctor`; docs/dingtalk-protocol.md §7
 * and "Cards with buttons"): what they are, and what is wrong with a value given, in English and
 * 中文 (the CLI's language follows the locale, locale.ts).
 */
import { AI_CARD_TEMPLATE_ID } from '../dingtalk/ai-card';
import type { Language } from '../../shared/api';
import { DINGTALK_CARD_PLATFORM_URL as CARD_PLATFORM } from '../../shared/app-info';

const en = {
  /** `status`'s labels, padded like its others. */
  labels: { cards: 'Cards:       ', buttons: 'Buttons:     ', approvers: 'Approvers:   ' },
  liveOn: (template: string, isDefault: boolean) => `live answers in AI cards, template ${template}${isDefault ? " (DingTalk's public one)" : ''}`,
  liveOff: 'off — answers go out as messages',
  buttonsOn: (template: string) => `/subscribe, /status and /help as cards with buttons, template ${template}`,
  buttonsNoTemplate: 'no template yet — /subscribe, /status and /help answer as messages',
  buttonsOff: 'off — /subscribe, /status and /help answer as messages',
  approvers: (ids: readonly string[]) => ids.join(', '),
  noApprovers: "nobody — approval stays in the app, the CLI and CCCC's Web UI",
  /** `doctor`'s line about buttons on cards. */
  doctor: {
    label: 'Buttons on cards:',
    makeOne: `Make the template in the card platform (卡片平台, ${CARD_PLATFORM}), then: cccc-dingtalk set --button-card-template ID`,
  },
  errors: {
    onOff: (option: string, value: string) => `${option} takes on or off, not "${value}"`,
    template: (option: string, value: string) => `${option}: "${value}" is not a card template id`,
    templateHint: (keyword: string) =>
      `A template id is what the card platform (卡片平台, ${CARD_PLATFORM}) shows on the template's page, ending in .schema (like ${AI_CARD_TEMPLATE_ID}); or "${keyword}".`,
    approver: (value: string) => `--approver takes one staff id; "${value}" is not one`,
    approverHint:
      'A staff id has no spaces or commas: repeat --approver for each person. It is in the DingTalk admin console (通讯录 → 成员 → 员工UserID), and `cccc-dingtalk set --access allowlist` lists those who wrote to the robot.',
    approversBoth: 'Give --approver or --no-approvers, not both',
  },
};

export type CliCardsText = typeof en;

const zh: CliCardsText = {
  labels: { cards: '卡片：       ', buttons: '卡片按钮：   ', approvers: '审批人：     ' },
  liveOn: (template, isDefault) => `用 AI 卡片实时显示回答，模板 ${template}${isDefault ? '（钉钉公共模板）' : ''}`,
  liveOff: '关闭——回答以普通消息发送',
  buttonsOn: (template) => `/subscribe、/status 和 /help 以带按钮的卡片回复，模板 ${template}`,
  buttonsNoTemplate: '尚无模板——/subscribe、/status 和 /help 以普通消息回复',
  buttonsOff: '关闭——/subscribe、/status 和 /help 以普通消息回复',
  approvers: (ids) => ids.join('、'),
  noApprovers: '无——仍在应用、命令行和 CCCC 网页界面中审批',
  doctor: { label: '卡片按钮：', makeOne: `在卡片平台（${CARD_PLATFORM}）创建模板，然后运行：cccc-dingtalk set --button-card-template 模板ID` },
  errors: {
    onOff: (option, value) => `${option} 只能是 on 或 off，不能是 "${value}"`,
    template: (option, value) => `${option}："${value}" 不是卡片模板 ID`,
    templateHint: (keyword) => `模板 ID 显示在卡片平台（${CARD_PLATFORM}）的模板页面上，以 .schema 结尾（例如 ${AI_CARD_TEMPLATE_ID}）；或者用 "${keyword}"。`,
    approver: (value) => `--approver 只接受一个员工 ID；"${value}" 不是`,
    approverHint:
      '员工 ID 不含空格和逗号：每人写一次 --approver。员工 ID 可在钉钉管理后台（通讯录 → 成员 → 员工UserID）查到，`cccc-dingtalk set --access allowlist` 也会列出给机器人发过消息的人。',
    approversBoth: '--approver 和 --no-approvers 只能给一个',
  },
};

export const CLI_CARDS_TEXT: Record<Language, CliCardsText> = { en, zh };
