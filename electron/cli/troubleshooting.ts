/**
 * README's Troubleshooting section for the CLI: the shared steps
 * (core/config/troubleshooting) in the CLI's words — environment variables and commands.
 */
import { troubleshootingSteps } from '../core/config/troubleshooting';
import type { Problem } from '../core/errors';
import type { BridgeContext } from './context';

export function troubleshoot(problem: Problem, ctx: BridgeContext): string[] {
  const { appKeyEnv, appSecretEnv, groupId } = ctx.profile;
  return troubleshootingSteps(problem, {
    apiBase: ctx.endpoints.apiBase,
    ccccHome: ctx.ccccHome,
    groupId,
    checkCredentials: `Check the environment variables are set correctly: ${appKeyEnv} and ${appSecretEnv} (in the shell that starts the bridge)`,
    restart: 'Restart the bridge: `cccc-dingtalk stop` then `cccc-dingtalk start --detach`',
    setCcccHome: '`cccc-dingtalk set --cccc-home DIR`',
    setGroup: '`cccc-dingtalk set --group <group id>`',
  });
}
