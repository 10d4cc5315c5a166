import { describe, expect, it } from 'vitest';
import { parseCardPress } from '../../../electron/core/dingtalk/card-callback';

const content = (inner: unknown): string => JSON.stringify(inner);
const base = {
  extension: '{}',
  corpId: 'ding1',
  userIdType: 1,
  type: 'actionCallback',
  userId: 'staff-1',
  outTrackId: 'card-1',
  spaceType: 'IM_GROUP',
  spaceId: 'cid1',
};

describe('parseCardPress', () => {
  it('reads the card, the person, the buttons and their string params', () => {
    const data = { ...base, content: content({ cardPrivateData: { actionIds: ['button_pause'], params: { action: 'pause', version: '3', n: 4 } } }) };
    expect(parseCardPress(data)).toEqual({ outTrackId: 'card-1', staffId: 'staff-1', actionIds: ['button_pause'], params: { action: 'pause', version: '3' } });
  });

  it('reads `value` when `content` is missing, and takes a press without params', () => {
    const data = { ...base, value: content({ cardPrivateData: { actionIds: ['b'] } }) };
    expect(parseCardPress(data)).toMatchObject({ actionIds: ['b'], params: {} });
  });

  it('is no press for other callbacks or malformed data', () => {
    const inner = content({ cardPrivateData: { actionIds: [], params: {} } });
    expect(parseCardPress({ ...base, type: 'dynamicDataCallback', content: inner })).toBeUndefined();
    expect(parseCardPress({ ...base, userId: '', content: inner })).toBeUndefined();
    expect(parseCardPress({ ...base, outTrackId: undefined, content: inner })).toBeUndefined();
    expect(parseCardPress({ ...base, content: 'not json' })).toBeUndefined();
    expect(parseCardPress({ ...base, content: content({ other: 1 }) })).toBeUndefined();
    expect(parseCardPress({ ...base, content: content({ cardPrivateData: { params: 'x' } }) })).toBeUndefined();
    expect(parseCardPress(null)).toBeUndefined();
    expect(parseCardPress('x'.repeat(1000))).toBeUndefined();
  });
});
