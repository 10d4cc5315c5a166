/** Removes secrets from anything on its way to a log line, an error text or the renderer. */

const SECRET_KEYS =
  /^(appsecret|app_secret|clientsecret|client_secret|secret|password|accesstoken|access_token|token|ticket|authorization|x-acs-dingtalk-access-token)$/i;
const MASK = '***';

/** Query parameters and JSON-ish pairs that carry credentials. */
const QUERY_SECRET = /((?:access_token|appsecret|appSecret|clientSecret|client_secret|ticket)=)[^&\s"']+/g;
const JSON_SECRET = /("(?:appSecret|clientSecret|accessToken|access_token|ticket|token)"\s*:\s*")[^"]*(")/g;

/** Every known secret and every credential-looking pair in `value` masked: the one text path for logs, CLI, API answers and events. */
export function redactText(value: string, secrets: readonly string[]): string {
  let out = value;
  for (const secret of secrets) {
    // Short values would mask ordinary words; real secrets are long.
    if (secret.length >= 6) out = out.split(secret).join(MASK);
  }
  out = out.replace(QUERY_SECRET, `$1${MASK}`);
  out = out.replace(JSON_SECRET, `$1${MASK}$2`);
  return out;
}

export function redact(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '[…]';
  if (value instanceof Error) {
    return { name: value.name, message: redactText(value.message, secrets) };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEYS.test(key) ? MASK : redact(v, secrets, depth + 1);
  }
  return out;
}
