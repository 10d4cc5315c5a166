/**
 * Corporate networks in China often force traffic through an HTTPS proxy, and neither Node's
 * http clients nor `ws` honour HTTPS_PROXY/NO_PROXY on their own. One policy (proxy-from-env's reading
 * of the standard variables) decides for both HTTP and WebSocket traffic.
 */
import type { Agent as HttpAgent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';

/** ws:// and wss:// follow the http/https variables, as browsers and curl do. */
function proxyUrlFor(url: string): string {
  return getProxyForUrl(url.replace(/^ws(s?):/i, 'http$1:'));
}

const proxyAgents = new Map<string, HttpAgent>();

/** The agent for an HTTP request: a tunnel through the proxy, kept alive, or Node's default agent (undefined). */
export function agentFor(url: string): HttpAgent | undefined {
  const proxy = proxyUrlFor(url);
  if (!proxy) return undefined;
  let agent = proxyAgents.get(proxy);
  if (!agent) {
    agent = new HttpsProxyAgent(proxy, { keepAlive: true });
    proxyAgents.set(proxy, agent);
  }
  return agent;
}

export function wsAgentFor(url: string): HttpAgent | undefined {
  const proxy = proxyUrlFor(url);
  return proxy ? new HttpsProxyAgent(proxy) : undefined;
}
