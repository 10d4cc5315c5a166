/**
 * Reads from the services for a screen: the answer, or the problem to show, for the current
 * inputs only. An answer to older inputs, to a request overtaken by a newer one, or arriving
 * after the screen has gone is dropped, so a slow reply never overwrites a newer one.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiEvent, ApiInput, ApiMethod, ApiResult, ProblemView } from '../../../electron/shared/api';
import { useApi, useApiEvents } from './context';

export interface QueryOptions<M extends ApiMethod> {
  /** While false nothing is asked (e.g. until what the call needs is known). */
  enabled?: boolean;
  /** Ask again when one of these pushed events arrives (e.g. `bridges-changed`). */
  refetchOn?: (event: ApiEvent) => boolean;
  /** Ask again at this pace, for what has no events of its own. */
  everyMs?: number;
  /**
   * Called as a request goes out; returns how its answer joins what is shown (default: it
   * replaces it). Lets a screen keep what was pushed while the request was out.
   */
  merge?: () => (shown: ApiResult<M> | undefined, answer: ApiResult<M>) => ApiResult<M>;
}

export interface Query<M extends ApiMethod> {
  /** The latest answer for the current inputs; kept when a later request fails. */
  data: ApiResult<M> | undefined;
  /** Why the latest request failed; cleared by the next answer. */
  problem: ProblemView | undefined;
  /** Asked, and neither an answer nor a problem yet. */
  loading: boolean;
  /** Asks again; `clear` forgets what is shown first (back to loading, as a retry does). */
  refetch: (opts?: { clear?: boolean }) => void;
  /** Changes what is shown (from a pushed event or a call's answer); nothing while there is no answer yet. */
  setData: (update: (data: ApiResult<M>) => ApiResult<M>) => void;
}

interface Shown<M extends ApiMethod> {
  key: string | undefined;
  data?: ApiResult<M>;
  problem?: ProblemView;
}

export function useApiQuery<M extends ApiMethod>(method: M, input: ApiInput<M>, options: QueryOptions<M> = {}): Query<M> {
  const api = useApi();
  const { enabled = true, everyMs } = options;
  // Inputs compare by value: a screen may build a new object on every render.
  const key = enabled ? JSON.stringify([method, input]) : undefined;
  const [shown, setShown] = useState<Shown<M>>({ key });
  const [generation, setGeneration] = useState(0);
  // Requests belong to one run of the effect below (one key, one generation); `newest` is the latest shown answer's request.
  const run = useRef({ id: 0, live: false, sent: 0, newest: 0 });
  const latest = useRef({ method, input, options });
  useEffect(() => {
    latest.current = { method, input, options };
  });

  const ask = useCallback(
    (k: string) => {
      if (!run.current.live) return;
      const { method: m, input: i, options: o } = latest.current;
      const runId = run.current.id;
      const request = ++run.current.sent;
      const merge = o.merge?.();
      void api.call(m, i).then((res) => {
        const r = run.current;
        if (!r.live || r.id !== runId || request < r.newest) return;
        r.newest = request;
        setShown((s) => {
          const before = s.key === k ? s.data : undefined;
          if (!res.ok) return before === undefined ? { key: k, problem: res.problem } : { key: k, data: before, problem: res.problem };
          return { key: k, data: merge ? merge(before, res.result) : res.result };
        });
      });
    },
    [api],
  );

  useEffect(() => {
    if (key === undefined) return;
    const r = { id: run.current.id + 1, live: true, sent: 0, newest: 0 };
    run.current = r;
    ask(key);
    const timer = everyMs ? setInterval(() => ask(key), everyMs) : undefined;
    return () => {
      clearInterval(timer);
      // Gone or asking something else: whatever is still out is dropped.
      r.live = false;
    };
  }, [ask, key, everyMs, generation]);

  useApiEvents((e) => {
    if (key !== undefined && latest.current.options.refetchOn?.(e)) ask(key);
  });

  const refetch = useCallback(
    (opts?: { clear?: boolean }) => {
      if (key === undefined) return;
      if (!opts?.clear) return ask(key);
      setShown({ key });
      setGeneration((g) => g + 1);
    },
    [ask, key],
  );

  const setData = useCallback(
    (update: (data: ApiResult<M>) => ApiResult<M>) => setShown((s) => (s.key === key && s.data !== undefined ? { ...s, data: update(s.data) } : s)),
    [key],
  );

  // Until the first answer for new inputs, nothing of the old ones shows.
  const current = shown.key === key ? shown : { key };
  return {
    data: current.data,
    problem: current.problem,
    loading: key !== undefined && current.data === undefined && current.problem === undefined,
    refetch,
    setData,
  };
}
