/**
 * README's Troubleshooting section as steps for a problem, with the user's own names
 * filled in. Shared by the CLI (which speaks of environment variables and commands) and the
 * app / `serve` (which speak of the wizard's fields and buttons): each says how its user checks
 * the credentials, restarts the bridge and points it at another CCCC_HOME or group.
 */
import type { Problem } from '../errors';

export interface TroubleshootContext {
  /** DingTalk's OpenAPI base in use. */
  apiBase: string;
  ccccHome: string;
  groupId: string;
  /** e.g. "Check the environment variables are set correctly: K and S (in the shell that starts the bridge)". */
  checkCredentials: string;
  /** e.g. "Restart the bridge: `cccc-dingtalk stop` then `cccc-dingtalk start --detach`". */
  restart: string;
  /** How to give the bridge another CCCC_HOME, e.g. "`cccc-dingtalk set --cccc-home DIR`". */
  setCcccHome: string;
  /** How to point it at another group, e.g. "`cccc-dingtalk set --group <group id>`". */
  setGroup: string;
}

export function troubleshootingSteps(problem: Pick<Problem, 'code'>, ctx: TroubleshootContext): string[] {
  switch (problem.code) {
    case 'dingtalk.invalid_credentials':
      return [
        'Verify the AppKey (Client ID) and AppSecret in the DingTalk Open Platform, under Credentials & Basic Info',
        ctx.checkCredentials,
        'Ensure the application is published (Version Management & Release)',
      ];
    case 'dingtalk.no_permission':
      return [
        'Check the required permissions are granted (Permissions: robot messages, files)',
        'Verify the app is visible to the user',
        'Ensure the app version is published — permission changes take effect only after publishing',
      ];
    case 'dingtalk.network':
    case 'dingtalk.server_error':
    case 'dingtalk.bad_answer':
    case 'dingtalk.stream_timeout':
    case 'dingtalk.stream_refused':
      return [
        `Check network connectivity to DingTalk (${ctx.apiBase}); behind a proxy set HTTPS_PROXY`,
        'Check the robot uses Stream mode (Robot settings → message receiving mode: Stream)',
        ctx.restart,
      ];
    case 'cccc.not_running':
      return [`The bridge looks for CCCC in CCCC_HOME=${ctx.ccccHome}: start CCCC with that same CCCC_HOME (or set it for the bridge: ${ctx.setCcccHome})`];
    case 'cccc.group_not_found':
      return [`\`cccc groups\` lists the groups in CCCC_HOME=${ctx.ccccHome}`, `Point the bridge at the right one: ${ctx.setGroup} (now: ${ctx.groupId})`];
    default:
      return [];
  }
}
