/**
 * Corporate networks in China often force traffic through an HTTPS proxy, and neither Node's
 * fetch nor `ws` honour HTTPS_PROXY/NO_PROXY on their own. One policy (proxy-from-env's reading
 * of the standard variables) decides for both HTTP and WebSocket traffic.
 */
import type { Agent as HttpAgent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';

/** ws:// and wss:// follow the http/https variables, as browsers and curl do. */
function proxyUrlFor(url: string): string {
  return getProxyForUrl(url.replace(/^ws(s?):/i, 'http$1:'));
}

const directDispatcher = new Agent({ connect: { timeout: 10_000 } });
const proxyDispatchers = new Map<string, Dispatcher>();

export function dispatcherFor(url: string): Dispatcher {
  const proxy = proxyUrlFor(url);
  if (!proxy) return directDispatcher;
  let d = proxyDispatchers.get(proxy);
  if (!d) {
    d = new ProxyAgent(proxy);
    proxyDispatchers.set(proxy, d);
  }
  return d;
}

export function wsAgentFor(url: string): HttpAgent | undefined {
  const proxy = proxyUrlFor(url);
  return proxy ? new HttpsProxyAgent(proxy) : undefined;
}
