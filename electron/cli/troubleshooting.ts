/**
 * The setup guide's Troubleshooting section, as steps for the problems the CLI meets, with
 * this bridge's own names filled in (which variables, which CCCC_HOME, which command).
 */
import type { Problem } from '../core/errors';
import type { BridgeContext } from './context';

export function troubleshoot(problem: Problem, ctx: BridgeContext): string[] {
  const { appKeyEnv, appSecretEnv, groupId } = ctx.profile;
  switch (problem.code) {
    case 'dingtalk.invalid_credentials':
      return [
        'Verify the AppKey (Client ID) and AppSecret in the DingTalk Open Platform, under Credentials & Basic Info',
        `Check the environment variables are set correctly: ${appKeyEnv} and ${appSecretEnv} (in the shell that starts the bridge)`,
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
      return [
        `Check network connectivity to DingTalk (${ctx.endpoints.apiBase}); behind a proxy set HTTPS_PROXY`,
        'Check the robot uses Stream mode (Robot settings → message receiving mode: Stream)',
        'Restart the bridge: `cccc-dingtalk stop` then `cccc-dingtalk start --detach`',
      ];
    case 'cccc.not_running':
      return [`The bridge looks for CCCC in CCCC_HOME=${ctx.ccccHome}: start CCCC with that same CCCC_HOME (or set it for the bridge with \`cccc-dingtalk set --cccc-home DIR\`)`];
    case 'cccc.group_not_found':
      return [
        `\`cccc groups\` lists the groups in CCCC_HOME=${ctx.ccccHome}`,
        `Point the bridge at the right one: \`cccc-dingtalk set --group <group id>\` (now: ${groupId})`,
      ];
    default:
      return [];
  }
}
