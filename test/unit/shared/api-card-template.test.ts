/** Card template ids are checked where a person types them (the API's save, the CLI, the Settings page): the card platform's `<id>.schema`. */
import { describe, expect, it } from 'vitest';
import { API, cardTemplateIdSchema } from '../../../electron/shared/api';

const save = (settings: Record<string, unknown>) => API.saveBridge.input.safeParse({ id: 'b1', settings });

describe('card template ids', () => {
  it.each(['382e4302-551d-4880-bf29-a30acfab2e71.schema', 'cccc-sandbox-buttons.schema', ' a_b.schema '])('takes %j', (id) => {
    expect(cardTemplateIdSchema.safeParse(id).success).toBe(true);
    expect(save({ cardTemplateId: id, buttonCardTemplateId: id }).success).toBe(true);
  });

  it.each(['382e4302-551d-4880-bf29-a30acfab2e71', 'my card.schema', '.schema', 'https://x/y.schema', `${'a'.repeat(129)}.schema`])('refuses %j', (id) => {
    expect(cardTemplateIdSchema.safeParse(id).success).toBe(false);
    expect(save({ buttonCardTemplateId: id }).success).toBe(false);
    expect(save({ cardTemplateId: id }).success).toBe(false);
  });

  it('an empty button-card template means none; the AI card always has one', () => {
    expect(save({ buttonCardTemplateId: '' }).success).toBe(true);
    expect(save({ cardTemplateId: '' }).success).toBe(false);
  });
});
