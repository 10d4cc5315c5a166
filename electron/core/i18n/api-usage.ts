/**
 * The month's DingTalk API calls as `cccc-dingtalk status` and `doctor` print them, in 中文 and
 * English (the CLI's language follows the locale, locale.ts).
 */
import type { ApiUsageView, CardAllowance, Language } from '../../shared/api';

export interface ApiUsageText {
  /** `status`'s label, padded like its others. */
  label: string;
  /** Calls, forecast and budget, in one line. */
  summary(v: ApiUsageView): string;
  /** The most called APIs. */
  top(v: ApiUsageView, n: number): string;
  allowance: Record<CardAllowance, string>;
  /** How to raise the budget. */
  raise: string;
}

const number = (lang: Language) => (n: number) => n.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-US');
const percent = (v: ApiUsageView): number => (v.budget ? Math.floor((v.calls / v.budget) * 100) : 0);

const en: ApiUsageText = {
  label: 'API calls:   ',
  summary(v) {
    const n = number('en');
    const budget = v.budget ? `budget ${n(v.budget)} (${percent(v)} % used)` : 'no budget set';
    return `${n(v.calls)} in ${v.month}; forecast ≈ ${n(v.forecast)} by the month's end (linear over ${v.daysElapsed} of ${v.daysInMonth} days); ${budget}`;
  },
  top: (v, k) =>
    `by API: ${v.byApi
      .slice(0, k)
      .map((a) => `${a.api} ${number('en')(a.calls)}`)
      .join(', ')}${v.byApi.length > k ? ', …' : ''}`,
  allowance: {
    full: 'cards as usual',
    lean: 'over 80 % of the budget: cards update less often',
    plain: 'budget reached: plain messages instead of cards until the month ends',
  },
  raise: '`cccc-dingtalk set --api-budget N` raises the budget',
};

const zh: ApiUsageText = {
  label: 'API 调用：   ',
  summary(v) {
    const n = number('zh');
    const budget = v.budget ? `预算 ${n(v.budget)} 次（已用 ${percent(v)} %）` : '未设预算';
    return `${v.month} 已调用 ${n(v.calls)} 次；预计月底约 ${n(v.forecast)} 次（按已过 ${v.daysElapsed}/${v.daysInMonth} 天线性推算）；${budget}`;
  },
  top: (v, k) =>
    `按接口：${v.byApi
      .slice(0, k)
      .map((a) => `${a.api} ${number('zh')(a.calls)}`)
      .join('，')}${v.byApi.length > k ? '，…' : ''}`,
  allowance: {
    full: '卡片照常',
    lean: '已超过预算的 80 %：卡片更新变少',
    plain: '已达预算：本月余下时间以普通消息代替卡片',
  },
  raise: '可用 `cccc-dingtalk set --api-budget N` 提高预算',
};

export const API_USAGE_TEXT: Record<Language, ApiUsageText> = { en, zh };
