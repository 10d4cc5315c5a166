/**
 * DingTalk credentials come from the environment variables a profile NAMES; their values live
 * only in the process's memory, never in a file. A missing variable is a readable error that
 * says what to export.
 */
import type { DingTalkCredentials } from '../dingtalk/endpoints';
import { BridgeError } from '../errors';
import type { BridgeProfile } from './profile';

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

/** `command` is what the user is about to run, for the message (e.g. `cccc-dingtalk start`). */
export function resolveCredentials(profile: BridgeProfile, env: NodeJS.ProcessEnv = process.env, command = 'cccc-dingtalk start'): ResolvedCredentials {
  const read = (name: string): string => (env[name] ?? '').trim();
  const appKey = read(profile.appKeyEnv);
  const appSecret = read(profile.appSecretEnv);
  const absent = [!appKey && profile.appKeyEnv, !appSecret && profile.appSecretEnv].filter((n): n is string => Boolean(n));
  if (absent.length > 0) throw missing(absent, command);
  const warnings: string[] = [];
  const credentials: DingTalkCredentials = { appKey, appSecret };
  if (profile.robotCodeEnv) {
    const robotCode = read(profile.robotCodeEnv);
    if (robotCode) credentials.robotCode = robotCode;
    else warnings.push(`${profile.robotCodeEnv} is not set; using the AppKey as the RobotCode (right for most internal apps).`);
  }
  return { credentials, warnings };
}
