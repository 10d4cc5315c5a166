/** Card template ids are checked where a person types them (the API's save, the CLI, the Settings page): the card platform's `<id>.schema`. */
import { describe, expect, it } from 'vitest';
import { cardTemplateIdSchema, templateIdOk } from '../../../electron/shared/api';

describe('card template ids', () => {
  it.each(['382e4302-551d-4880-bf29-a30acfab2e71.schema', 'cccc-sandbox-buttons.schema', ' a_b.schema '])('takes %j', (id) => {
    expect(cardTemplateIdSchema.safeParse(id).success).toBe(true);
    expect(templateIdOk(id)).toBe(true);
    expect(templateIdOk(id, { allowEmpty: true, stored: 'other.schema' })).toBe(true);
  });

  it.each(['382e4302-551d-4880-bf29-a30acfab2e71', 'my card.schema', '.schema', 'https://x/y.schema', `${'a'.repeat(129)}.schema`])('refuses %j', (id) => {
    expect(cardTemplateIdSchema.safeParse(id).success).toBe(false);
    expect(templateIdOk(id, { allowEmpty: true })).toBe(false);
    expect(templateIdOk(id)).toBe(false);
  });

  it('an empty button-card template means none; the AI card always has one', () => {
    expect(templateIdOk('', { allowEmpty: true })).toBe(true);
    expect(templateIdOk('')).toBe(false);
  });

  it('an id left as stored is not checked again (an older version stored any); a changed one is', () => {
    expect(templateIdOk('my old template', { stored: 'my old template' })).toBe(true);
    expect(templateIdOk(' my old template ', { stored: 'my old template' })).toBe(true);
    expect(templateIdOk('my new template', { stored: 'my old template' })).toBe(false);
    expect(templateIdOk('', { stored: 'my old template' })).toBe(false);
  });
});
