/**
 * Who may command the agents. Agents run code, so an authorized group chat must not mean
 * "anyone in it": the policy applies to every inbound message, per bridge, overridable per chat.
 */
import type { z } from 'zod';
import { accessPolicySchema } from '../../shared/api';

export { accessPolicySchema };

export type AccessPolicy = z.infer<typeof accessPolicySchema>;

export const EVERYONE: AccessPolicy = { mode: 'everyone' };

export interface Sender {
  staffId?: string;
  isAdmin: boolean;
}

export type AccessDecision = { allowed: true } | { allowed: false; policy: 'admins' | 'allowlist' };

export function checkAccess(policy: AccessPolicy, sender: Sender): AccessDecision {
  switch (policy.mode) {
    case 'everyone':
      return { allowed: true };
    case 'admins':
      return sender.isAdmin ? { allowed: true } : { allowed: false, policy: 'admins' };
    case 'allowlist':
      return sender.staffId && policy.staffIds.includes(sender.staffId) ? { allowed: true } : { allowed: false, policy: 'allowlist' };
  }
}
