/**
 * `cccc-dingtalk set --scan`: one-scan setup in a terminal (docs/dingtalk-protocol.md §11). Prints
 * DingTalk's QR code, waits for the scan, and prints the new app's Client Secret once — for the
 * environment variable the bridge reads — and nowhere else: never logged, masked in anything
 * printed after it.
 */
import type { Language } from '../../shared/api';
import { endpointsFromEnv } from '../../core/dingtalk/endpoints';
import { httpRegistrationPost } from '../../core/dingtalk/registration-api';
import { registerApp, type RegistrationCode } from '../../core/dingtalk/registration';
import { CLI_SCAN_TEXT, type CliScanText } from '../../core/i18n/cli-scan';
import { localeLanguage } from '../../core/i18n/locale';
import { qrTerminal } from '../../core/util/qr';
import { addOutputSecrets, err, formatProblem, out, outCredential, outQrCode } from '../output';

export interface ScanForSet {
  /** The variables the bridge will read the Client ID and the Client Secret from. */
  appKeyEnv: string;
  appSecretEnv: string;
  env?: NodeJS.ProcessEnv;
  lang?: Language;
}

/** Exit code of Ctrl-C. */
const INTERRUPTED = 130;

/** A value as a shell reads it back: plain when it can be, else in single quotes. */
function shellValue(value: string): string {
  return /^[A-Za-z0-9._\-+/=]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

async function showCode(code: RegistrationCode, t: CliScanText, lang: Language): Promise<void> {
  out(t.scanThis);
  outQrCode(await qrTerminal(code.verificationUrl));
  out(t.orOpen(code.verificationUrl));
  if (code.userCode) out(t.code(code.userCode));
  out(t.waiting(new Date(code.expiresAt).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB')));
}

/** Runs the scan; undefined when DingTalk made the app (and its credentials were printed), else the exit code. */
export async function scanForSet(o: ScanForSet): Promise<number | undefined> {
  const env = o.env ?? process.env;
  const lang = o.lang ?? localeLanguage(env);
  const t = CLI_SCAN_TEXT[lang];
  const abort = new AbortController();
  const cancel = (): void => abort.abort();
  process.once('SIGINT', cancel);
  try {
    out(t.asking);
    let shown: Promise<void> = Promise.resolve();
    const outcome = await registerApp({
      post: httpRegistrationPost(endpointsFromEnv(env).oapiBase),
      signal: abort.signal,
      onCode: (code) => (shown = showCode(code, t, lang)),
    });
    await shown;
    if (outcome.kind === 'cancelled') {
      err(t.cancelled);
      return INTERRUPTED;
    }
    if (outcome.kind !== 'success') {
      err(t[outcome.kind]);
      err(formatProblem(outcome.problem));
      err(outcome.kind === 'expired' || outcome.kind === 'error' ? t.again : t.manual);
      return 1;
    }
    out(t.created(outcome.clientId));
    out(t.secretOnce);
    outCredential(`  export ${o.appKeyEnv}=${shellValue(outcome.clientId)}`);
    outCredential(`  export ${o.appSecretEnv}=${shellValue(outcome.clientSecret)}`);
    addOutputSecrets(outcome.clientSecret);
    out(t.readWith(o.appKeyEnv, o.appSecretEnv));
    out(t.next);
    out();
    return undefined;
  } finally {
    process.off('SIGINT', cancel);
  }
}
