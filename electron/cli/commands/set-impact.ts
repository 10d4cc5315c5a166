/** What `set` says when a bridge moves to another group or app: the subscriptions (core/control/edit-impact.ts). */
import type { EditImpactView } from '../../shared/api';

function chats(n: number): string {
  return n === 1 ? '1 chat' : `${n} chats`;
}

function groupName(id: string, title: string | undefined): string {
  return title ? `${id} ("${title}")` : id;
}

export function impactLines(v: EditImpactView): string[] {
  const lines: string[] = [];
  if (v.group) {
    const { subscribed, stay } = v.group;
    const from = groupName(v.group.from, v.group.fromTitle);
    const to = groupName(v.group.to, v.group.toTitle);
    lines.push(`Subscriptions belong to the CCCC group: the bridge now serves the chats subscribed in ${to}.`);
    if (subscribed === 0) lines.push(`  No chat was subscribed in ${from}.`);
    else {
      if (stay > 0)
        lines.push(
          `  ${chats(stay)} of the ${subscribed} subscribed in ${from} ${stay === 1 ? 'is' : 'are'} subscribed in ${to} too and keep${stay === 1 ? 's' : ''} getting messages.`,
        );
      if (subscribed > stay)
        lines.push(
          `  ${stay > 0 ? 'The other' : 'The'} ${chats(subscribed - stay)} must send /subscribe again (and be approved) to hear from ${to}; their subscriptions in ${from} stay, should the bridge move back.`,
        );
    }
  }
  if (v.app) {
    lines.push(
      `The DingTalk app changes: the ${chats(v.app.subscribed)} subscribed stay subscribed in CCCC, but the new robot can write only in group chats it has been added to and to people of its own organization.`,
    );
    if (v.app.subscribed > 0)
      lines.push('  Add the new robot to each subscribed group chat; until then messages to those chats fail and are reported (`cccc-dingtalk status`, logs).');
  }
  return lines;
}
