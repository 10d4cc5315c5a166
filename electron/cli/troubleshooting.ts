/**
 * README's Troubleshooting section for the CLI: the shared steps
 * (core/config/troubleshooting) in the CLI's words — environment variables and commands.
 */
import { troubleshootingSteps } from '../core/config/troubleshooting';
import type { Problem } from '../core/errors';
import type { BridgeContext } from './context';

export function troubleshoot(problem: Problem, ctx: BridgeContext): string[] {
  const { appKeyEnv, secret, groupId, id } = ctx.profile;
  const variables = [appKeyEnv, secret.from === 'env' ? secret.name : undefined].filter(Boolean).join(' and ');
  return troubleshootingSteps(problem, {
    apiBase: ctx.endpoints.apiBase,
    ccccHome: ctx.ccccHome,
    groupId,
    checkCredentials: [
      variables && `Check the environment variables are set correctly: ${variables} (in the shell that starts the bridge)`,
      !appKeyEnv && `Check the Client ID (\`cccc-dingtalk set ${id} --client-id …\`)`,
      secret.from !== 'env' &&
        `Check the AppSecret (kept in ${secret.from === 'file' ? 'secrets.json' : "the desktop app's keychain"}; or \`cccc-dingtalk set ${id} --app-secret-env VAR\`)`,
    ]
      .filter(Boolean)
      .join('; '),
    restart: 'Restart the bridge: `cccc-dingtalk stop` then `cccc-dingtalk start --detach`',
    setCcccHome: '`cccc-dingtalk set --cccc-home DIR`',
    setGroup: '`cccc-dingtalk set --group <group id>`',
  });
}
