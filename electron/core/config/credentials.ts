/**
 * The DingTalk credentials of a bridge, as the CLI resolves them: the Client ID and RobotCode
 * from the profile or the environment variables it names, the AppSecret from its variable or
 * from secrets.json (typed into the page of `serve`). Values live only in the process's memory.
 * A secret in the desktop app's keychain cannot be read here: the refusal says how to go on.
 */
import type { DingTalkCredentials } from '../dingtalk/endpoints';
import { BridgeError } from '../errors';
import type { BridgeProfile, SecretStoreKind } from './profile';

export interface ResolvedCredentials {
  credentials: DingTalkCredentials;
  /** Things worth telling the user that do not stop the bridge. */
  warnings: string[];
}

function missing(names: string[], command: string): BridgeError {
  const list = names.length === 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.slice(-1).join('')}`;
  return new BridgeError({
    code: 'config.env_missing',
    message: `${list} ${names.length === 1 ? 'is' : 'are'} not set — export ${names.length === 1 ? 'it' : 'them'} before \`${command}\``,
    hint: `e.g. export ${names[0]}="…" (the value from Credentials & Basic Info in the DingTalk developer console).`,
    retryable: false,
    details: { variables: names },
  });
}

/** Which host keeps a secret of each kind, in the words of a refusal. */
export const SECRET_KEPT_BY: Record<SecretStoreKind, string> = {
  keychain: "the desktop app (in the system's keychain)",
  file: 'cccc-dingtalk serve (in secrets.json of its config folder)',
};

/** The secret of `profile` is in a store this host cannot read; `hint` says how to go on here. */
export function secretElsewhere(profile: Pick<BridgeProfile, 'name'>, kind: SecretStoreKind, hint: string): BridgeError {
  return new BridgeError({
    code: 'config.secret_elsewhere',
    message: `The AppSecret of "${profile.name}" is kept by ${SECRET_KEPT_BY[kind]}; it cannot be read here`,
    hint,
    retryable: false,
    details: { secretKeptBy: kind },
  });
}

/** How the CLI says a keychain secret must be given to it instead. */
export function cliSecretHint(profile: Pick<BridgeProfile, 'id'>): string {
  return `Start it in the desktop app, or name a variable that holds the AppSecret: \`cccc-dingtalk set ${profile.id} --app-secret-env VAR\`.`;
}

export interface CredentialSources {
  env: NodeJS.ProcessEnv;
  /** The secrets.json of the config folder. */
  fileSecret: (bridgeId: string) => Promise<string | undefined>;
  /** What the user is about to run, for the messages (e.g. `cccc-dingtalk start`). */
  command?: string;
}

export async function resolveCredentials(profile: BridgeProfile, sources: CredentialSources): Promise<ResolvedCredentials> {
  const { env, command = 'cccc-dingtalk start' } = sources;
  const read = (name: string): string => (env[name] ?? '').trim();
  const appKey = profile.appKey ?? read(profile.appKeyEnv ?? '');
  const { secret } = profile;
  if (secret.from === 'keychain') throw secretElsewhere(profile, 'keychain', cliSecretHint(profile));
  const appSecret = secret.from === 'env' ? read(secret.name) : ((await sources.fileSecret(profile.id))?.trim() ?? '');
  const absent = [!appKey && profile.appKeyEnv, !appSecret && secret.from === 'env' && secret.name].filter((n): n is string => Boolean(n));
  if (absent.length > 0) throw missing(absent, command);
  if (!appSecret) {
    throw new BridgeError({
      code: 'config.secret_missing',
      message: `No AppSecret is stored for "${profile.name}" in secrets.json`,
      hint: `Type it in the bridge's settings in the page of \`cccc-dingtalk serve\`, or name a variable that holds it: \`cccc-dingtalk set ${profile.id} --app-secret-env VAR\`.`,
      retryable: false,
    });
  }
  const warnings: string[] = [];
  const credentials: DingTalkCredentials = { appKey, appSecret };
  if (profile.robotCode) credentials.robotCode = profile.robotCode;
  else if (profile.robotCodeEnv) {
    const robotCode = read(profile.robotCodeEnv);
    if (robotCode) credentials.robotCode = robotCode;
    else warnings.push(`${profile.robotCodeEnv} is not set; using the AppKey as the RobotCode (right for most internal apps).`);
  }
  return { credentials, warnings };
}
