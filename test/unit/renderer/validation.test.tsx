import { describe, expect, it } from 'vitest';
import { endpointIssue } from '../../../renderer/src/settings/Settings';
import { appKeyIssue, draftGap, secretIssue } from '../../../renderer/src/wizard/credentialChecks';
import type { Draft } from '../../../renderer/src/wizard/StepCredentials';

const draft = (patch: Partial<Draft> = {}): Draft => ({
  name: '',
  groupId: 'g_1',
  ccccHome: undefined,
  appKey: 'dingk',
  appSecret: 's3cret',
  robotCode: '',
  secretEnv: undefined,
  ...patch,
});

describe('validators return codes, translated only where shown', () => {
  it('credentials: spaces inside, a Client ID without “ding”, or nothing to say', () => {
    expect(appKeyIssue('')).toBeUndefined();
    expect(appKeyIssue(' dingabc ')).toBeUndefined();
    expect(appKeyIssue('ding abc')).toBe('spaces');
    expect(appKeyIssue('abc')).toBe('appKeyNoDing');
    expect(secretIssue('a b')).toBe('spaces');
    expect(secretIssue(' ab ')).toBeUndefined();
  });

  it('credentials: what still keeps the bridge from being saved, first things first', () => {
    expect(draftGap(draft(), undefined, false)).toBeUndefined();
    expect(draftGap(draft({ groupId: '', appKey: '' }), 'not a variable', false)).toBe('secretEnvInvalid');
    expect(draftGap(draft({ groupId: '', appKey: '' }), undefined, false)).toBe('needGroup');
    expect(draftGap(draft({ appKey: ' ' }), undefined, false)).toBe('needKey');
    expect(draftGap(draft({ appSecret: '' }), undefined, false)).toBe('needSecret');
    // The secret read from a variable, or stored with the saved bridge.
    expect(draftGap(draft({ appSecret: '' }), 'TEAM_DT_SECRET', false)).toBeUndefined();
    expect(draftGap(draft({ appSecret: '' }), undefined, true)).toBeUndefined();
    // …or stored with the one scan that made the app.
    expect(draftGap(draft({ appSecret: '', scanId: 'scan-1' }), undefined, false)).toBeUndefined();
  });

  it('settings: an address that is not a URL, not DingTalk, or not safe for a custom endpoint', () => {
    expect(endpointIssue('', 'apiBase', false)).toBeUndefined();
    expect(endpointIssue('not a url', 'apiBase', false)).toBe('invalidUrl');
    expect(endpointIssue('https://api.dingtalk.com', 'apiBase', false)).toBeUndefined();
    expect(endpointIssue('https://corp.example', 'apiBase', false)).toBe('notDingTalk');
    expect(endpointIssue('https://corp.example', 'apiBase', true)).toBeUndefined();
    expect(endpointIssue('http://corp.example', 'apiBase', true)).toBe('insecureEndpoint');
  });
});
