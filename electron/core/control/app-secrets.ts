/**
 * The AppSecret a bridge connects with: from the vault, or from the environment variable its
 * profile names. Each one read is remembered, to be scrubbed wherever it might show.
 */
import { BridgeError } from '../errors';
import type { KnownSecrets } from './known-secrets';
import type { AppSettingsStore, ControlProfile, ProfileStore, SecretStore } from './stores';

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
  rememberEnv(profile: ControlProfile): void {
    if (profile.secretEnv) this.o.known.remember(this.o.env[profile.secretEnv]?.trim());
  }

  async secretFor(profile: ControlProfile): Promise<string> {
    await this.refuseStaleSecret(profile);
    if (profile.secretEnv) {
      const value = this.o.env[profile.secretEnv]?.trim();
      if (!value) {
        throw new BridgeError({
          code: 'config.env_missing',
          message: `${profile.secretEnv} is not set — the AppSecret of "${profile.name}" is read from it`,
          hint: `Set ${profile.secretEnv} in the environment that starts the bridge, or type the AppSecret in the bridge's settings instead.`,
          retryable: false,
          details: { variables: [profile.secretEnv] },
        });
      }
      this.o.known.remember(value);
      return value;
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
  private async refuseStaleSecret(profile: ControlProfile): Promise<void> {
    // The sandbox's bridge talks to the local sandbox only, with its public test secret.
    if (profile.sandbox) return;
    const since = (await this.o.appSettings.get()).customEndpointSince;
    if (since === undefined) return;
    const setAt = profile.secretEnv ? undefined : await this.o.secrets.updatedAt(profile.id);
    if (setAt !== undefined && setAt >= since) return;
    throw new BridgeError({
      code: 'config.secret_reenter',
      message: `The AppSecret of "${profile.name}" was stored before the custom DingTalk endpoint was set, so it is not sent there`,
      hint: "Enter the AppSecret again in the bridge's settings (a custom endpoint only gets secrets typed after it was chosen).",
      retryable: false,
    });
  }
}
