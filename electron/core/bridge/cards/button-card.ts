/**
 * A card with buttons as the bridge draws it, and the template variables it becomes. The
 * template (a setting; docs/dingtalk-protocol.md, "Cards with buttons") shows `title`, the
 * Markdown `markdown`, the line `note`, and one button per entry of `buttons`: a button with an
 * `action` calls back with the params `{action, version}`, one with a `url` opens the link (a
 * `dtmd://dingtalkclient/sendMessage?content=…` link sends a command as the person, no callback).
 */

export interface CardButton {
  text: string;
  /** Pressing calls back to the bridge with this action. */
  action?: string;
  /** Pressing opens this link instead. */
  url?: string;
  /** The button's look: `blue` for the main action, `red` for a refusal, `gray` otherwise. */
  color?: 'blue' | 'red' | 'gray';
}

export interface ButtonCardView {
  title: string;
  markdown: string;
  /** What the last press did (or who may press); empty: nothing. */
  note?: string;
  buttons: CardButton[];
}

/** The template's variables. */
export const BUTTON_CARD_KEYS = { title: 'title', markdown: 'markdown', note: 'note', buttons: 'buttons', version: 'version' } as const;

/**
 * The card's variables. DingTalk takes strings only, so `buttons` is a JSON array; `version`
 * comes back with every press, which tells a press on what the card showed before an update.
 */
export function cardParams(view: ButtonCardView, version: number): Record<string, string> {
  return {
    [BUTTON_CARD_KEYS.title]: view.title,
    [BUTTON_CARD_KEYS.markdown]: view.markdown,
    [BUTTON_CARD_KEYS.note]: view.note ?? '',
    [BUTTON_CARD_KEYS.buttons]: JSON.stringify(view.buttons),
    [BUTTON_CARD_KEYS.version]: String(version),
  };
}
