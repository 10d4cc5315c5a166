import type { GroupView } from '../../../electron/shared/api';

/** The name of the other bridge that serves `g` (a second one would be refused when it starts). */
export function takenBy(g: GroupView, bridgeId: string | undefined): string | undefined {
  return g.bridge && g.bridge.id !== bridgeId ? g.bridge.name : undefined;
}
