/**
 * The credential test: token, robot send permission, the AI-card permissions, then the Stream
 * connection — each failure with the troubleshooting steps for where it happened.
 */
import type { ApiHandlers, CheckView, CredentialTestView } from '../../../shared/api';
import { ApiUsage } from '../../bridge/api-usage/api-usage';
import { resolveCcccHome } from '../../cccc/daemon';
import { bridgePaths } from '../../config/paths';
import { troubleshootingSteps, type TroubleshootContext } from '../../config/troubleshooting';
import type { DingTalkCredentials, DingTalkEndpoints } from '../../dingtalk/endpoints';
import { CardApi, type CardReadiness } from '../../dingtalk/card-api';
import type { CallCounter } from '../../dingtalk/http';
import { DingTalkApi } from '../../dingtalk/openapi-client';
import { probeStream } from '../../dingtalk/stream-probe';
import { toProblem, type Problem } from '../../errors';
import { ccccHomeOf, profileOf, type ControlContext } from '../context';
import type { BridgeProfile } from '../../config/profile';
import { problemView } from '../views';

function failed(problem: Problem, steps: string[]): CheckView {
  const view = problemView(problem);
  if (steps.length > 0) view.details = { ...view.details, steps };
  return { state: 'failed', problem: view };
}

/** The troubleshooting steps, worded for the UI. */
function guide(c: ControlContext, p: BridgeProfile | undefined, apiBase: string): TroubleshootContext {
  return {
    apiBase,
    ccccHome: p ? ccccHomeOf(c, p) : resolveCcccHome({ env: c.env }),
    groupId: p?.groupId ?? '',
    checkCredentials:
      p?.secret.from === 'env'
        ? `Check that ${p.secret.name} holds the AppSecret, in the environment that starts the bridge, and that the AppKey in the bridge's settings is right`
        : 'Check the AppKey and AppSecret in the bridge settings: copy them again from Credentials & Basic Info',
    restart: 'Restart the bridge (Stop, then Start)',
    setCcccHome: "the CCCC home field in the bridge's settings",
    setGroup: "choose the group in the bridge's settings",
  };
}

/** Missing card permissions name themselves; a probe that could not ask says nothing. */
function cardsCheck(readiness: CardReadiness): CheckView {
  if (readiness.state === 'ready') return { state: 'ok' };
  return readiness.state === 'missing' ? failed(readiness.problem, []) : { state: 'skipped' };
}

export function credentialHandlers(c: ControlContext): Pick<ApiHandlers, 'testCredentials'> {
  return {
    async testCredentials(input) {
      let profile: BridgeProfile | undefined;
      let credentials: DingTalkCredentials;
      let ep: DingTalkEndpoints;
      if ('bridgeId' in input) {
        profile = await profileOf(c, input.bridgeId);
        try {
          // The sandbox's bridge while the sandbox is stopped has nowhere to go.
          ep = await c.endpoints.endpointsFor(profile);
          credentials = await c.appSecrets.credentialsFor(profile);
        } catch (err) {
          return { token: failed(toProblem(err), []), stream: { state: 'skipped' } };
        }
      } else {
        ep = await c.endpoints.endpointsForTyped(input.appKey);
        c.known.remember(input.appSecret);
        credentials = { appKey: input.appKey, appSecret: input.appSecret, ...(input.robotCode ? { robotCode: input.robotCode } : {}) };
      }
      const steps = (p: Problem): string[] => troubleshootingSteps(p, guide(c, profile, ep.apiBase));
      const running = profile && c.supervisor.running(profile.id);
      // A bridge's test counts its calls with the bridge's own (bridge/api-usage/); a new app's has nowhere to count yet.
      const usage =
        profile && !running ? new ApiUsage({ stateDir: bridgePaths(c.configHome, profile.id).state, appKey: credentials.appKey, log: c.log }) : undefined;
      try {
        return await test(credentials, ep, running?.apiCounter ?? usage?.counter);
      } finally {
        await usage?.close();
      }

      async function test(credentials: DingTalkCredentials, ep: DingTalkEndpoints, counter: CallCounter | undefined): Promise<CredentialTestView> {
        const api = new DingTalkApi({ credentials, endpoints: ep, logger: c.log, ...(counter ? { counter } : {}) });
        try {
          await api.checkCredentials();
        } catch (err) {
          const problem = toProblem(err, 'dingtalk.network');
          return { token: failed(problem, steps(problem)), stream: { state: 'skipped' } };
        }
        const token: CheckView = { state: 'ok' };
        const permissionProblem = await api.probeSendPermission();
        const permissions: CheckView = permissionProblem ? failed(permissionProblem, steps(permissionProblem)) : { state: 'ok' };
        const cards = cardsCheck(await new CardApi(api).probeCardPermissions());
        // A running bridge already holds a connection: report it rather than open another.
        if (running) {
          const d = running.status().dingtalk;
          if (d.status === 'connected') return { token, permissions, cards, stream: { state: 'ok', details: { runningBridge: true } } };
          if (d.status === 'reconnecting' || d.status === 'error') return { token, permissions, cards, stream: failed(d.problem, steps(d.problem)) };
        }
        const problem = await probeStream(credentials, ep, c.streamProbeTimeoutMs, c.log.child('credential-test'), counter);
        return { token, permissions, cards, stream: problem ? failed(problem, steps(problem)) : { state: 'ok' } };
      }
    },
  };
}
