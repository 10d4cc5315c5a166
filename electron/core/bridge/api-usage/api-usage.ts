/**
 * Counts the DingTalk API calls of one app, by API and metering month, for the budget
 * (docs/dingtalk-protocol.md §12). Counting is a map increment: the file is written at most once
 * every `flushMs` (5 s) while calls come in, and at close; a crash loses at most the calls of the
 * last `flushMs`. A write that fails (a full disk) keeps the counts in memory and is tried again.
 *
 * `cardAllowance()` is what the outbound side asks before it spends calls on a card: `full`,
 * `lean` (fewer card updates) or `plain` (an ordinary message instead) — never "nothing". Each
 * step down is announced once a month (`onNotice`), remembered in the file across restarts.
 */
import type { ApiUsageView } from '../../../shared/api';
import type { CallCounter } from '../../dingtalk/http';
import type { Problem } from '../../errors';
import { silentLogger, type Logger } from '../../log/logger';
import { cardAllowanceFor, stricter, totalOf, usageView, type CardAllowance } from './budget';
import { meteringMonth, monthSpan } from './month';
import { addCalls, appFingerprint, readLastAppUsage, usageStore, type AppUsage } from './usage-file';

export type { CardAllowance };

export const USAGE_FLUSH_MS = 5_000;

export interface ApiUsageOptions {
  stateDir: string;
  /** The app whose calls these are. */
  appKey: string;
  /** The monthly budget in calls, read at every look (a setting); null: none. */
  budget?: () => number | null;
  log?: Logger;
  now?: () => number;
  flushMs?: number;
  /**
   * Told once a month when the calls reach 80 % and 100 % of the budget, and when a damaged
   * count file was moved aside. Without it nothing is announced (a `doctor` only adds its calls).
   */
  onNotice?: (problem: Problem) => void;
  /** A write failed; returns true when that was a full disk (the bridge's disk-space watch). */
  onLocalFailure?: (err: unknown) => boolean;
}

type Step = Exclude<CardAllowance, 'full'>;

export class ApiUsage {
  /** Hand this to the DingTalk clients: every request they send is counted. */
  readonly counter: CallCounter = (api) => this.count(api);
  private readonly app: string;
  private readonly log: Logger;
  private readonly now: () => number;
  /** What the file held for this app when last read or written. */
  private saved: AppUsage = { months: {} };
  /** Counted since: month → API → calls. */
  private pending = new Map<string, Map<string, number>>();
  /** Taken from `pending` by the write under way. */
  private inFlight = new Map<string, Map<string, number>>();
  /** Month → saved plus pending calls: what the allowance is asked about, kept current per call. */
  private totals = new Map<string, number>();
  /** Month → the furthest step announced; `unsaved` until written. */
  private noticed = new Map<string, Step>();
  private unsaved = false;
  /** Between open() and close(): writes are timed; otherwise they wait for close(). */
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failing = false;
  /** The month now, until it ends: asked on every call, worked out once a month. */
  private current = { month: '', start: 0, end: 0 };

  constructor(private readonly options: ApiUsageOptions) {
    this.app = appFingerprint(options.appKey);
    this.log = (options.log ?? silentLogger).child('api-usage');
    this.now = options.now ?? Date.now;
  }

  /** Reads what was counted before (a damaged file is moved aside and announced); never throws. */
  async open(): Promise<void> {
    this.running = true;
    try {
      const doc = await this.store().get();
      this.took(doc.apps[this.app] ?? { months: {} });
    } catch (err) {
      this.writeFailed(err);
    }
    if (this.pending.size > 0 || this.unsaved) this.schedule();
  }

  /** Writes what is counted and stops the timer; later calls are counted and written at the next open or close. */
  async close(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  count(api: string): void {
    const month = this.month(this.now());
    let byApi = this.pending.get(month);
    if (!byApi) this.pending.set(month, (byApi = new Map()));
    byApi.set(api, (byApi.get(api) ?? 0) + 1);
    this.totals.set(month, (this.totals.get(month) ?? 0) + 1);
    this.announce(month);
    this.schedule();
  }

  /** How answers may use cards now (bridge/api-usage/budget.ts has the thresholds). */
  cardAllowance(): CardAllowance {
    const month = this.month(this.now());
    this.announce(month);
    return cardAllowanceFor(this.totals.get(month) ?? 0, this.options.budget?.());
  }

  /** This month's calls, forecast and budget step. */
  view(): ApiUsageView {
    const now = this.now();
    const month = this.month(now);
    this.announce(month);
    const calls: Record<string, number> = { ...this.saved.months[month]?.calls };
    for (const unsaved of [this.inFlight, this.pending]) for (const [api, n] of unsaved.get(month) ?? []) calls[api] = (calls[api] ?? 0) + n;
    return usageView(calls, this.options.budget?.(), now);
  }

  /** Adds the calls counted so far to the file (others' additions kept); on failure they stay here for the next try. */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0 && !this.unsaved) return;
    const calls = (this.inFlight = this.pending);
    const noticed = new Map(this.noticed);
    this.pending = new Map();
    this.unsaved = false;
    try {
      const mine = await this.store().update((doc) => addCalls(doc, this.app, { calls, noticed }, this.now()));
      this.took(mine);
      if (this.failing) this.log.info('API call counts are written again');
      this.failing = false;
    } catch (err) {
      for (const [month, byApi] of calls) {
        const into = this.pending.get(month) ?? new Map<string, number>();
        for (const [api, n] of byApi) into.set(api, (into.get(api) ?? 0) + n);
        this.pending.set(month, into);
      }
      this.unsaved = true;
      this.writeFailed(err);
    } finally {
      this.inFlight = new Map();
    }
    if (this.pending.size > 0 || this.unsaved) this.schedule();
  }

  /** The file's counts for this app become the base; pending calls stay on top of them. */
  private took(mine: AppUsage): void {
    this.saved = mine;
    this.totals = new Map();
    for (const [month, usage] of Object.entries(mine.months)) {
      this.totals.set(month, totalOf(usage.calls));
      const before = this.noticed.get(month);
      if (usage.noticed && (!before || stricter(usage.noticed, before))) this.noticed.set(month, usage.noticed);
    }
    for (const [month, byApi] of this.pending) {
      let n = this.totals.get(month) ?? 0;
      for (const calls of byApi.values()) n += calls;
      this.totals.set(month, n);
    }
  }

  private month(now: number): string {
    if (now < this.current.start || now >= this.current.end) this.current = monthSpan(now);
    return this.current.month;
  }

  private writeFailed(err: unknown): void {
    const diskFull = this.options.onLocalFailure?.(err) ?? false;
    if (this.failing) return;
    this.failing = true;
    this.log.warn('Could not write the API call counts; they are kept in memory and written when possible', {
      error: err instanceof Error ? err.message : String(err),
      diskFull,
    });
  }

  private schedule(): void {
    if (!this.running || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.flushMs ?? USAGE_FLUSH_MS);
    this.timer.unref();
  }

  /** Announces a step down the first time this month reaches it. */
  private announce(month: string): void {
    const { onNotice, budget } = this.options;
    if (!onNotice || !budget) return;
    const limit = budget();
    const calls = this.totals.get(month) ?? 0;
    const step = cardAllowanceFor(calls, limit);
    if (step === 'full' || !limit) return;
    const before = this.noticed.get(month);
    if (before && !stricter(step, before)) return;
    this.noticed.set(month, step);
    this.unsaved = true;
    this.schedule();
    onNotice(budgetProblem(step, calls, limit, month));
  }

  private store(): ReturnType<typeof usageStore> {
    return usageStore(this.options.stateDir, this.log, (damage) =>
      this.options.onNotice?.({
        code: 'bridge.api_usage_reset',
        message: `The file counting DingTalk API calls ${damage.why}; it was moved aside and this month's count starts again from zero`,
        hint: "Until next month the count and the forecast are low; DingTalk's developer console shows what the organization really used.",
        retryable: false,
        details: { aside: damage.aside },
      }),
    );
  }
}

/** A bridge that does not run here, from its file: the month's calls for the app it ran last. */
export async function readUsageView(stateDir: string, budget: number | null, now = Date.now()): Promise<ApiUsageView> {
  const usage = await readLastAppUsage(stateDir).catch((): AppUsage => ({ months: {} }));
  return usageView(usage.months[meteringMonth(now)]?.calls ?? {}, budget, now);
}

function budgetProblem(step: Step, calls: number, budget: number, month: string): Problem {
  const percent = Math.floor((calls / budget) * 100);
  const details = { month, calls, budget, percent };
  const hint =
    'Raise the monthly API budget in the bridge settings (`cccc-dingtalk set --api-budget N`), or check the organization’s real usage in DingTalk’s developer console.';
  if (step === 'lean') {
    return {
      code: 'dingtalk.api_budget_near',
      message: `${calls} of the ${budget} DingTalk API calls budgeted for ${month} are used (${percent} %): card answers now update less often, and become plain messages at the budget`,
      hint,
      retryable: false,
      details,
    };
  }
  return {
    code: 'dingtalk.api_budget_reached',
    message: `The DingTalk API budget for ${month} is reached (${calls} of ${budget} calls): answers go as plain messages instead of cards until the month ends; none is dropped`,
    hint,
    retryable: false,
    details,
  };
}
