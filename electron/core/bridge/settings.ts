/** Per-bridge behaviour a user can change in Settings or the CLI config. */
import { z } from 'zod';
import { accessPolicySchema } from './access';

export const bridgeSettingsSchema = z.object({
  /** Language of the robot's replies. Chinese by default for DingTalk. */
  replyLanguage: z.enum(['zh', 'en']).default('zh'),
  access: accessPolicySchema.default({ mode: 'everyone' }),
  /** Inbound file size cap (CCCC's im.files.max_mb is 10; DingTalk's media limit is 20). */
  maxFileMb: z.number().positive().max(1024).default(20),
  /** resume: from the saved cursor (first start: from now). end: skip what arrived while stopped. */
  catchUp: z.enum(['resume', 'end']).default('resume'),
  /** Keep message text in the audit log (off: metadata only). */
  auditContent: z.boolean().default(false),
  /** Show 🤔 on a person's message while the agents work on it (best effort). */
  thinkingReaction: z.boolean().default(true),
});

export type BridgeSettings = z.infer<typeof bridgeSettingsSchema>;

export const DEFAULT_SETTINGS: BridgeSettings = bridgeSettingsSchema.parse({});
