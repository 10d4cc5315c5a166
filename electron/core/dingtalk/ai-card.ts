/**
 * DingTalk's public AI card (docs/dingtalk-protocol.md §7): its template id and variables. Plain
 * constants, so that settings can name the default template without loading the card API.
 */

/** DingTalk's public AI-card template: a Markdown body that can be streamed into. */
export const AI_CARD_TEMPLATE_ID = '382e4302-551d-4880-bf29-a30acfab2e71.schema';

/** The AI-card template's variables: `msgContent` is the streamed body. */
export const AI_CARD_KEYS = { content: 'msgContent', title: 'msgTitle', status: 'flowStatus' } as const;

/** The AI-card template's `flowStatus` values (DingTalk wants strings in cardParamMap). */
export const AI_CARD_STATUS = { processing: '1', inputting: '2', finished: '3', failed: '5' } as const;
