/**
 * The AppSecret a bridge connects with: from this host's secret store, or from the environment
 * variable its profile names. A secret kept by the other host (the desktop app's keychain seen
 * from `serve`, `serve`'s secrets file seen from the app) cannot be read here: the refusal says
 * where it is and how to give it to this host. Each one read is remembered, to be scrubbed
 * wherever it might show.
 */
import { secretElsewhere } from '../config/credentials';
import { appKeyOf, robotCodeOf, type BridgeProfile } from '../config/profile';
import type { DingTalkCredentials } from '../dingtalk/endpoints';
import { BridgeError } from '../errors';
import type { KnownSecrets } from './known-secrets';
import type { AppSettingsStore, ProfileStore, SecretStore } from './stores';

export interface AppSecretsOptions {
  profiles: ProfileStore;
  secrets: SecretStore;
  appSettings: AppSettingsStore;
  known: KnownSecrets;
  env: NodeJS.ProcessEnv;
}

export class AppSecrets {
  /**
   * Settles once the secrets named by environment variables are known. A vault secret is in
   * memory only once decrypted, and secretFor remembers it then: decrypting all of them up front
   * would defeat "decrypted only to connect" (and prompt the keychain at launch). Secrets named by
   * environment variables are in memory from the start: know them now.
   */
  readonly ready: Promise<void>;

  constructor(private readonly o: AppSecretsOptions) {
    this.ready = (async () => {
      for (const p of await o.profiles.list().catch(() => [])) this.rememberEnv(p);
    })();
  }

  /** The value of the variable `profile` names, if any, to scrub. */
  rememberEnv(profile: BridgeProfile): void {
    if (profile.secret.from === 'env') this.o.known.remember(this.o.env[profile.secret.name]?.trim());
  }

  /** What the bridge connects with: the Client ID and RobotCode (values or variables) and the AppSecret. */
  async credentialsFor(profile: BridgeProfile): Promise<DingTalkCredentials> {
    const appKey = appKeyOf(profile, this.o.env);
    if (!appKey) {
      const name = profile.appKeyEnv ?? '';
      throw new BridgeError({
        code: 'config.env_missing',
        message: `${name} is not set — the Client ID of "${profile.name}" is read from it`,
        hint: `Set ${name} in the environment that starts the bridge, or type the Client ID in the bridge's settings instead.`,
        retryable: false,
        details: { variables: [name] },
      });
    }
    const robotCode = robotCodeOf(profile, this.o.env);
    return { appKey, appSecret: await this.secretFor(profile), ...(robotCode ? { robotCode } : {}) };
  }

  async secretFor(profile: BridgeProfile): Promise<string> {
    await this.refuseStaleSecret(profile);
    const { secret } = profile;
    if (secret.from === 'env') {
      const value = this.o.env[secret.name]?.trim();
      if (!value) {
        throw new BridgeError({
          code: 'config.env_missing',
          message: `${secret.name} is not set — the AppSecret of "${profile.name}" is read from it`,
          hint: `Set ${secret.name} in the environment that starts the bridge, or type the AppSecret in the bridge's settings instead.`,
          retryable: false,
          details: { variables: [secret.name] },
        });
      }
      this.o.known.remember(value);
      return value;
    }
    if (secret.from !== this.o.secrets.kind) {
      throw secretElsewhere(
        profile,
        secret.from,
        "Start the bridge there, or type the AppSecret in this bridge's settings here (or name an environment variable that holds it).",
      );
    }
    const value = await this.o.secrets.get(profile.id);
    if (!value) {
      throw new BridgeError({
        code: 'config.secret_missing',
        message: `No AppSecret is stored for "${profile.name}"`,
        hint: "Enter the AppSecret (Client Secret, from Credentials & Basic Info in the DingTalk developer console) in the bridge's settings.",
        retryable: false,
      });
    }
    this.o.known.remember(value);
    return value;
  }

  /** In custom endpoint mode, a secret stored before the endpoint was set never goes there. */
  private async refuseStaleSecret(profile: BridgeProfile): Promise<void> {
    // The sandbox's bridge talks to the local sandbox only, with its public test secret.
    if (profile.sandbox) return;
    const since = (await this.o.appSettings.get()).customEndpointSince;
    if (since === undefined) return;
    const setAt = profile.secret.from === this.o.secrets.kind ? await this.o.secrets.updatedAt(profile.id) : undefined;
    if (setAt !== undefined && setAt >= since) return;
    throw new BridgeError({
      code: 'config.secret_reenter',
      message: `The AppSecret of "${profile.name}" was stored before the custom DingTalk endpoint was set, so it is not sent there`,
      hint: "Enter the AppSecret again in the bridge's settings (a custom endpoint only gets secrets typed after it was chosen).",
      retryable: false,
    });
  }
}
