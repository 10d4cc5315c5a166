/**
 * One-scan setup behind the wizard (docs/dingtalk-protocol.md §11): one registration at a time,
 * its QR code for the UI, and on success the Client Secret put straight into the secret store —
 * under a key of its own (`.scan-…`, never a bridge id) until the bridge is saved with this scan,
 * which moves it to the bridge. Then the live checks of what one scan cannot do run with it.
 * An unclaimed secret is deleted when the scan is replaced, cancelled, or the services close.
 */
import { randomBytes } from 'node:crypto';
import type { CredentialTestView, ScanView } from '../../shared/api';
import { httpRegistrationPost, type RegistrationPost } from '../dingtalk/registration-api';
import { registerApp, type RegistrationOutcome } from '../dingtalk/registration';
import { BridgeError } from '../errors';
import type { Logger } from '../log/logger';
import { qrDataUrl } from '../util/qr';
import type { KnownSecrets } from './known-secrets';
import type { SecretStore } from './stores';
import { problemView } from './views';

export interface ScanSessionsOptions {
  secrets: SecretStore;
  known: KnownSecrets;
  /** Whether a secret may be stored here (false in env-var mode, or with no way to store one). */
  canStore: () => Promise<boolean>;
  /** Where DingTalk's registration calls go. */
  oapiBase: () => Promise<string>;
  /** The credential test, run with the new app's credentials. */
  check: (appKey: string, appSecret: string) => Promise<CredentialTestView>;
  log: Logger;
  /** Tests: DingTalk's answers without HTTP. */
  post?: RegistrationPost;
  maxWaitMs?: number;
}

interface Session {
  view: ScanView;
  abort: AbortController;
  /** Where its secret is stored, until a bridge claims it. */
  storedAs?: string;
  done: Promise<void>;
}

export function unknownScan(scanId: string): BridgeError {
  return new BridgeError({
    code: 'scan.unknown',
    message: `No scan "${scanId}" is under way`,
    hint: 'It was replaced by a newer scan or the app restarted: scan again, or enter the AppSecret by hand.',
    retryable: false,
  });
}

export class ScanSessions {
  private current: Session | undefined;

  constructor(private readonly o: ScanSessionsOptions) {}

  /** Starts a registration; answers once there is a code to show, or it ended before (refused, unreachable). */
  async start(): Promise<ScanView> {
    await this.discard();
    const oapiBase = await this.o.oapiBase();
    const scanId = `scan-${randomBytes(8).toString('hex')}`;
    const abort = new AbortController();
    const session: Session = { view: { scanId, state: 'waiting' }, abort, done: Promise.resolve() };
    this.current = session;
    let shown: () => void = () => undefined;
    const codeShown = new Promise<void>((resolve) => (shown = resolve));
    session.done = registerApp({
      post: this.o.post ?? httpRegistrationPost(oapiBase),
      signal: abort.signal,
      logger: this.o.log,
      ...(this.o.maxWaitMs !== undefined ? { maxWaitMs: this.o.maxWaitMs } : {}),
      onCode: (code) => {
        void qrDataUrl(code.verificationUrl).then((qr) => {
          Object.assign(
            session.view,
            { qr, verificationUrl: code.verificationUrl, expiresAt: code.expiresAt },
            code.userCode ? { userCode: code.userCode } : {},
          );
          shown();
        }, shown);
      },
    })
      .then((outcome) => this.settle(session, outcome))
      .catch((err: unknown) => {
        session.view = { scanId, state: 'error', problem: problemView({ code: 'internal', message: String(err), retryable: true }) };
      })
      .finally(shown);
    await codeShown;
    return this.view(scanId);
  }

  view(scanId: string): ScanView {
    return structuredClone(this.session(scanId).view);
  }

  async cancel(scanId: string): Promise<ScanView> {
    const session = this.session(scanId);
    session.abort.abort();
    await session.done;
    await this.forgetSecret(session);
    return this.view(scanId);
  }

  /** The stored secret of a successful scan for `appKey`, for the bridge being saved with it. */
  async secretFor(scanId: string, appKey: string): Promise<string> {
    const session = this.session(scanId);
    const secret = session.storedAs && session.view.appKey === appKey ? await this.o.secrets.get(session.storedAs) : undefined;
    if (secret) return secret;
    throw new BridgeError({
      code: 'scan.no_secret',
      message:
        session.view.appKey && session.view.appKey !== appKey
          ? `The scanned secret belongs to ${session.view.appKey}, not ${appKey}`
          : 'No AppSecret is stored from this scan',
      hint: 'Enter the AppSecret (Client Secret, from Credentials & Basic Info in the developer console), or scan again.',
      retryable: false,
    });
  }

  /** The bridge has the secret now: the scan's own copy goes. */
  async claimed(scanId: string): Promise<void> {
    const session = this.current?.view.scanId === scanId ? this.current : undefined;
    if (session) await this.forgetSecret(session);
  }

  /** Cancels the scan under way, and deletes a secret no bridge took. */
  async discard(): Promise<void> {
    const session = this.current;
    if (!session) return;
    session.abort.abort();
    await session.done;
    await this.forgetSecret(session);
  }

  private session(scanId: string): Session {
    if (this.current?.view.scanId === scanId) return this.current;
    throw unknownScan(scanId);
  }

  private async forgetSecret(session: Session): Promise<void> {
    const key = session.storedAs;
    if (!key) return;
    delete session.storedAs;
    await this.o.secrets.delete(key).catch((err: unknown) => this.o.log.warn('A scanned secret could not be deleted', { error: err }));
  }

  private async settle(session: Session, outcome: RegistrationOutcome): Promise<void> {
    const { scanId } = session.view;
    if (outcome.kind === 'cancelled') {
      session.view = { scanId, state: 'cancelled' };
      return;
    }
    if (outcome.kind !== 'success') {
      this.o.log.info('One-scan setup ended without an app', { outcome: outcome.kind, code: outcome.problem.code });
      session.view = { scanId, state: outcome.kind, problem: problemView(outcome.problem) };
      return;
    }
    const { clientId: appKey, clientSecret } = outcome;
    this.o.known.remember(clientSecret);
    let secret: ScanView['secret'] = 'not_stored';
    if (await this.o.canStore()) {
      const key = `.${scanId}`;
      try {
        await this.o.secrets.set(key, clientSecret);
        session.storedAs = key;
        secret = 'stored';
      } catch (err) {
        this.o.log.warn('The scanned AppSecret could not be stored', { error: err });
      }
    }
    session.view = { scanId, state: 'success', appKey, secret };
    // Replaced or cancelled meanwhile: nobody will claim it.
    if (this.current !== session || session.abort.signal.aborted) await this.forgetSecret(session);
    // Not part of the scan: a new scan need not wait for a Stream probe of the last one's app.
    void this.o.check(appKey, clientSecret).then(
      (checks) => {
        if (session.view.state === 'success') session.view.checks = checks;
      },
      (err: unknown) => this.o.log.warn('The checks after the scan did not run', { error: err }),
    );
  }
}
