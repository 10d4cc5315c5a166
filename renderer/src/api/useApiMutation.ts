/**
 * Changes made through the services from a screen (start, save, approve…): whether one is out,
 * and the problem of the last one that failed, to show where the action is.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiInput, ApiMethod, ApiResult, ProblemView } from '../../../electron/shared/api';
import { useApi } from './context';

export interface Mutation {
  busy: boolean;
  problem: ProblemView | undefined;
  /**
   * Clears the last problem and calls. Resolves to the result, or to undefined when the call
   * failed (its problem is then shown). A screen gone meanwhile keeps no state, but the caller
   * still learns how the call went (e.g. to undo an optimistic change held above the screen).
   */
  run: <M extends ApiMethod>(method: M, input: ApiInput<M>) => Promise<ApiResult<M> | undefined>;
  /** Forgets the last problem (e.g. when the user edits what failed). */
  clear: () => void;
}

export function useApiMutation(): Mutation {
  const api = useApi();
  const [out, setOut] = useState(0);
  const [problem, setProblem] = useState<ProblemView>();
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(
    async <M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiResult<M> | undefined> => {
      setProblem(undefined);
      setOut((n) => n + 1);
      const res = await api.call(method, input);
      if (mounted.current) {
        setOut((n) => n - 1);
        if (!res.ok) setProblem(res.problem);
      }
      return res.ok ? res.result : undefined;
    },
    [api],
  );
  const clear = useCallback(() => setProblem(undefined), []);

  return { busy: out > 0, problem, run, clear };
}
