/**
 * Which CCCC the demo talks to: a real one when its daemon is running (with a group to use),
 * otherwise a demo group on the fake daemon with scripted agents.
 */
import { join } from 'node:path';
import { resolveCcccHome } from '../../core/cccc/daemon/home';
import { ccccOverview } from '../../core/control/cccc-info';
import { DEMO_ACTORS, DEMO_CONTEXT, startDemoAgents, type DemoAgents } from '../cccc/demo-agents';
import { FakeCcccDaemon } from '../cccc/daemon';

export type CcccMode = 'auto' | 'real' | 'demo';

export type CcccChoice =
  | { kind: 'real'; home: string; groupId: string; groupTitle: string; version: string; close(): Promise<void> }
  | { kind: 'demo'; home: string; groupId: string; groupTitle: string; daemon: FakeCcccDaemon; agents: DemoAgents; close(): Promise<void> };

export interface ChooseOptions {
  mode: CcccMode;
  /** A group of the real CCCC to use; default: the first running one. */
  group?: string;
  /** Where the demo's own CCCC home goes. */
  workDir: string;
  env: NodeJS.ProcessEnv;
  /** Something worth telling the user about the choice. */
  note(text: string): void;
}

export class DemoSetupError extends Error {}

export const DEMO_GROUP_TITLE = 'CCCC 演示项目';

async function startDemoCccc(workDir: string): Promise<CcccChoice> {
  const daemon = await FakeCcccDaemon.start({ home: join(workDir, 'cccc-home') });
  try {
    const groupId = await daemon.createGroup({ title: DEMO_GROUP_TITLE, actors: DEMO_ACTORS, context: DEMO_CONTEXT });
    const agents = startDemoAgents(daemon, { groupId });
    return {
      kind: 'demo',
      home: daemon.home,
      groupId,
      groupTitle: DEMO_GROUP_TITLE,
      daemon,
      agents,
      async close() {
        agents.close();
        await daemon.close();
      },
    };
  } catch (err) {
    await daemon.close();
    throw err;
  }
}

export async function chooseCccc(o: ChooseOptions): Promise<CcccChoice> {
  if (o.mode === 'demo') return startDemoCccc(o.workDir);
  const home = resolveCcccHome({ env: o.env });
  const overview = await ccccOverview(home, { env: o.env, timeoutMs: 1_500 });
  if (overview.status === 'running') {
    const group = o.group ? overview.groups.find((g) => g.groupId === o.group) : (overview.groups.find((g) => g.running) ?? overview.groups[0]);
    if (group) {
      return { kind: 'real', home, groupId: group.groupId, groupTitle: group.title, version: overview.version ?? '', close: async () => undefined };
    }
    const why = o.group ? `CCCC 里没有工作组 ${o.group} / CCCC has no group ${o.group}` : 'CCCC 还没有工作组 / CCCC has no working group yet';
    if (o.mode === 'real') throw new DemoSetupError(`${why}. 创建一个：cccc group create --title Demo / create one: cccc group create --title Demo`);
    o.note(`${why} —— 先用演示智能体。 / using the demo agents.`);
  } else if (o.mode === 'real') {
    throw new DemoSetupError(`CCCC 没有运行（${home}）。先用 \`cccc\` 启动它。 / CCCC is not running (${home}); start it with \`cccc\`.`);
  } else if (overview.status === 'not_running') {
    o.note(
      '检测到 CCCC 但它没有运行 —— 先用演示智能体；启动 `cccc` 后重新运行即可连接你自己的智能体。 / CCCC is installed but not running: using the demo agents (start `cccc` and re-run to use your own).',
    );
  }
  return startDemoCccc(o.workDir);
}
