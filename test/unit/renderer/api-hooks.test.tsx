// @vitest-environment happy-dom
import { act, cleanup, render, renderHook, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiEvent, ApiMethod, ApiResponse, BridgeDetail, ProblemView } from '../../../electron/shared/api';
import { ApiClient } from '../../../renderer/src/api/client';
import { ApiProvider } from '../../../renderer/src/api/context';
import type { Transport } from '../../../renderer/src/api/transports';
import { useApiMutation } from '../../../renderer/src/api/useApiMutation';
import { useApiQuery, type QueryOptions } from '../../../renderer/src/api/useApiQuery';
import { createI18n } from '../../../renderer/src/i18n';
import { ProblemBox } from '../../../renderer/src/ui/Problem';

afterEach(cleanup);

/** A transport whose every call waits until the test answers it, in any order. */
function heldApi() {
  const calls: { method: ApiMethod; input: unknown; answer: (res: ApiResponse<ApiMethod>) => void }[] = [];
  const listeners = new Set<(e: ApiEvent) => void>();
  const transport: Transport = {
    kind: 'ipc',
    invoke: (method, input) => new Promise((resolve) => calls.push({ method, input, answer: resolve as (res: ApiResponse<ApiMethod>) => void })),
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onStreamState(l) {
      l('open');
      return () => {};
    },
  };
  const client = new ApiClient(transport);
  const wrapper = ({ children }: { children: ReactNode }) => <ApiProvider value={client}>{children}</ApiProvider>;
  /** Answers call `i` and lets React apply whatever follows. */
  const answer = (i: number, res: ApiResponse<ApiMethod>) =>
    act(async () => {
      const call = calls[i];
      if (!call) throw new Error(`no call #${i}`);
      call.answer(res);
      await Promise.resolve();
    });
  const emit = (e: ApiEvent) => act(() => listeners.forEach((l) => l(e)));
  return { calls, wrapper, answer, emit, listeners };
}

const detail = (id: string, name = id) => ({ id, name, groupId: 'g', appKey: 'dingk' }) as unknown as BridgeDetail;
const ok = (result: unknown) => ({ ok: true, result }) as ApiResponse<ApiMethod>;
const fail = (problem: ProblemView) => ({ ok: false, problem }) as ApiResponse<ApiMethod>;
const refused: ProblemView = { code: 'cccc.unreachable', message: 'CCCC does not answer', hint: 'Start it with `cccc daemon start`.', retryable: true };

function useBridge(bridgeId: string, options?: QueryOptions<'getBridge'>) {
  return useApiQuery('getBridge', { bridgeId }, options);
}

describe('useApiQuery', () => {
  it('is loading until the answer arrives, then holds it', async () => {
    const api = heldApi();
    const { result } = renderHook(() => useBridge('b1'), { wrapper: api.wrapper });
    expect(result.current).toMatchObject({ loading: true, data: undefined, problem: undefined });
    expect(api.calls.map((c) => [c.method, c.input])).toEqual([['getBridge', { bridgeId: 'b1' }]]);
    await api.answer(0, ok(detail('b1', 'Demo')));
    expect(result.current).toMatchObject({ loading: false, data: { name: 'Demo' }, problem: undefined });
  });

  it('reports a failed call as a problem the Problem component shows, and keeps an earlier answer', async () => {
    const api = heldApi();
    const i18n = await createI18n('en');
    function Screen() {
      const q = useBridge('b1');
      return (
        <I18nextProvider i18n={i18n}>
          <p>{q.data?.name ?? 'no data'}</p>
          {q.problem && <ProblemBox problem={q.problem} />}
          <button type="button" onClick={() => q.refetch()}>
            again
          </button>
        </I18nextProvider>
      );
    }
    render(<Screen />, { wrapper: api.wrapper });
    await api.answer(0, fail(refused));
    expect(screen.getByText('CCCC does not answer')).toBeTruthy();
    expect(screen.getByText(/cccc daemon start/)).toBeTruthy();

    act(() => screen.getByRole('button', { name: 'again' }).click());
    await api.answer(1, ok(detail('b1', 'Demo')));
    expect(screen.getByText('Demo')).toBeTruthy();
    expect(screen.queryByText('CCCC does not answer')).toBeNull();

    act(() => screen.getByRole('button', { name: 'again' }).click());
    await api.answer(2, fail(refused));
    expect(screen.getByText('Demo')).toBeTruthy();
    expect(screen.getByText('CCCC does not answer')).toBeTruthy();
  });

  it('drops the answer for inputs that have changed, whenever it arrives', async () => {
    const api = heldApi();
    const { result, rerender } = renderHook(({ id }) => useBridge(id), { wrapper: api.wrapper, initialProps: { id: 'a' } });
    await api.answer(0, ok(detail('a')));
    expect(result.current.data?.id).toBe('a');

    rerender({ id: 'b' });
    // What was shown for `a` is not shown for `b`.
    expect(result.current).toMatchObject({ loading: true, data: undefined });
    rerender({ id: 'c' });
    expect(api.calls.map((c) => c.input)).toEqual([{ bridgeId: 'a' }, { bridgeId: 'b' }, { bridgeId: 'c' }]);

    await api.answer(2, ok(detail('c')));
    await api.answer(1, ok(detail('b')));
    expect(result.current.data?.id).toBe('c');
  });

  it('takes inputs by value: a new object with the same contents asks nothing again', () => {
    const api = heldApi();
    const { rerender } = renderHook(({ id }) => useApiQuery('getBridge', { bridgeId: id }), { wrapper: api.wrapper, initialProps: { id: 'a' } });
    rerender({ id: 'a' });
    rerender({ id: 'a' });
    expect(api.calls).toHaveLength(1);
  });

  it('keeps the newest answer when an older request answers last', async () => {
    const api = heldApi();
    const { result } = renderHook(() => useBridge('b1'), { wrapper: api.wrapper });
    act(() => result.current.refetch());
    expect(api.calls).toHaveLength(2);
    await api.answer(1, ok(detail('b1', 'newer')));
    await api.answer(0, ok(detail('b1', 'older')));
    expect(result.current.data?.name).toBe('newer');
  });

  it('asks again on the events it names, and only on those', async () => {
    const api = heldApi();
    const { result } = renderHook(() => useBridge('b1', { refetchOn: (e) => e.type === 'bridges-changed' }), { wrapper: api.wrapper });
    await api.answer(0, ok(detail('b1', 'before')));
    api.emit({ type: 'log', record: { ts: 1, level: 'info', scope: 'x', msg: 'm' } });
    expect(api.calls).toHaveLength(1);
    api.emit({ type: 'bridges-changed' });
    expect(api.calls).toHaveLength(2);
    // Still showing the last answer while asking again.
    expect(result.current).toMatchObject({ loading: false, data: { name: 'before' } });
    await api.answer(1, ok(detail('b1', 'after')));
    expect(result.current.data?.name).toBe('after');
  });

  it('asks again at the pace it is given, and stops when the screen goes', () => {
    vi.useFakeTimers();
    try {
      const api = heldApi();
      const { unmount } = renderHook(() => useBridge('b1', { everyMs: 1_000 }), { wrapper: api.wrapper });
      act(() => {
        vi.advanceTimersByTime(2_500);
      });
      expect(api.calls).toHaveLength(3);
      unmount();
      act(() => {
        vi.advanceTimersByTime(5_000);
      });
      expect(api.calls).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('after the screen has gone, asks nothing, hears no event and applies no late answer', async () => {
    const api = heldApi();
    const applied = vi.fn((_shown: BridgeDetail | undefined, answer: BridgeDetail) => answer);
    const { result, unmount } = renderHook(() => useBridge('b1', { merge: () => applied, refetchOn: () => true }), { wrapper: api.wrapper });
    await api.answer(0, ok(detail('b1')));
    expect(applied).toHaveBeenCalledTimes(1);
    api.emit({ type: 'bridges-changed' });
    const { refetch } = result.current;
    unmount();
    // e.g. a child's callback that fires after the page has gone
    refetch();
    expect(api.calls).toHaveLength(2);
    expect(api.listeners.size).toBe(0);
    await api.answer(1, ok(detail('b1', 'late')));
    expect(applied).toHaveBeenCalledTimes(1);
  });

  it('clear: forgets what is shown and asks again; an answer to the request before is dropped', async () => {
    const api = heldApi();
    const { result } = renderHook(() => useBridge('b1'), { wrapper: api.wrapper });
    act(() => result.current.refetch({ clear: true }));
    expect(result.current.loading).toBe(true);
    await api.answer(0, fail(refused));
    expect(result.current).toMatchObject({ loading: true, problem: undefined });
    await api.answer(1, ok(detail('b1', 'fresh')));
    expect(result.current.data?.name).toBe('fresh');
  });

  it('setData changes what is shown; merge lets an answer keep what was pushed meanwhile', async () => {
    const api = heldApi();
    let pushed = 0;
    const { result } = renderHook(
      () =>
        useBridge('b1', {
          merge: () => {
            const seen = pushed;
            return (shown, answer) => (shown && pushed !== seen ? { ...answer, name: shown.name } : answer);
          },
        }),
      { wrapper: api.wrapper },
    );
    act(() => result.current.setData((d) => ({ ...d, name: 'ignored: nothing shown yet' })));
    await api.answer(0, ok(detail('b1', 'answer')));
    act(() => result.current.refetch());
    pushed += 1;
    act(() => result.current.setData((d) => ({ ...d, name: 'pushed' })));
    await api.answer(1, ok(detail('b1', 'stale answer')));
    expect(result.current.data?.name).toBe('pushed');
  });

  it('asks nothing while disabled', () => {
    const api = heldApi();
    const { result } = renderHook(() => useBridge('b1', { enabled: false }), { wrapper: api.wrapper });
    act(() => result.current.refetch());
    expect(api.calls).toHaveLength(0);
    expect(result.current.loading).toBe(false);
  });
});

describe('useApiMutation', () => {
  it('is busy while the call is out, resolves to the result, and shows a failure as its problem until the next call', async () => {
    const api = heldApi();
    const { result } = renderHook(() => useApiMutation(), { wrapper: api.wrapper });
    let done: Promise<unknown> = Promise.resolve();
    act(() => {
      done = result.current.run('stopBridge', { bridgeId: 'b1' });
    });
    expect(result.current.busy).toBe(true);
    await api.answer(0, fail(refused));
    await expect(done).resolves.toBeUndefined();
    expect(result.current).toMatchObject({ busy: false, problem: refused });

    act(() => {
      done = result.current.run('stopBridge', { bridgeId: 'b1' });
    });
    expect(result.current.problem).toBeUndefined();
    await api.answer(1, ok({ state: 'stopped' }));
    await expect(done).resolves.toEqual({ state: 'stopped' });
    expect(result.current.busy).toBe(false);
  });

  it('checks the input against the contract before sending, and says which field is wrong', async () => {
    const api = heldApi();
    const { result } = renderHook(() => useApiMutation(), { wrapper: api.wrapper });
    await act(() => result.current.run('openExternal', { url: 'not a url' }));
    expect(api.calls).toHaveLength(0);
    expect(result.current.problem).toMatchObject({ code: 'ui.invalid_input', details: { field: 'url' } });
  });

  it('after the screen has gone, keeps no state but still tells the caller how the call went', async () => {
    const api = heldApi();
    const { result, unmount } = renderHook(() => useApiMutation(), { wrapper: api.wrapper });
    let done: Promise<unknown> = Promise.resolve();
    act(() => {
      done = result.current.run('setAppSettings', { theme: 'dark' });
    });
    unmount();
    await api.answer(0, ok({ theme: 'dark' }));
    await expect(done).resolves.toEqual({ theme: 'dark' });
  });
});
