/** React access to the one ApiClient, and hooks for pushed events. */
import { createContext, useContext, useEffect, useRef } from 'react';
import type { ApiEvent } from '../../../electron/shared/api';
import type { ApiClient } from './client';

const ApiContext = createContext<ApiClient | undefined>(undefined);

export const ApiProvider = ApiContext.Provider;

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}

/** Calls `listener` for every pushed event while mounted (always the latest listener). */
export function useApiEvents(listener: (event: ApiEvent) => void): void {
  const api = useApi();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => api.onEvent((e) => latest.current(e)), [api]);
}
