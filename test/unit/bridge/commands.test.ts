import { describe, expect, it } from 'vitest';
import { parseCommand, splitRecipients } from '../../../electron/core/bridge/commands';

describe('parseCommand', () => {
  it.each([
    ['/subscribe', 'subscribe'],
    [' /SUB', 'subscribe'],
    ['/unsubscribe', 'unsubscribe'],
    ['/Unsub', 'unsubscribe'],
    ['/status', 'status'],
    ['/s', 'status'],
    ['/context', 'context'],
    ['/ctx', 'context'],
    ['/pause', 'pause'],
    ['/resume', 'resume'],
    ['/launch', 'launch'],
    ['/start', 'launch'],
    ['/quit', 'quit'],
    ['/stop', 'quit'],
    ['/help', 'help'],
    ['/H', 'help'],
    ['@CCCC Bot /status', 'status'],
    ['@Bot /status', 'status'],
    ['\t/status\n', 'status'],
  ])('%j → %s', (text, name) => {
    expect(parseCommand(text).name).toBe(name);
  });

  it('parses /verbose with an optional on/off', () => {
    expect(parseCommand('/verbose')).toEqual({ name: 'verbose', mode: 'toggle' });
    expect(parseCommand('/v on')).toEqual({ name: 'verbose', mode: 'on' });
    expect(parseCommand('/VERBOSE Off')).toEqual({ name: 'verbose', mode: 'off' });
  });

  it('treats plain text as a send to the default recipient, keeping it exactly', () => {
    const text = ' 请检查一下代码质量\n\n```ts\n  const x = 1;\n```\n  trailing  ';
    expect(parseCommand(text)).toEqual({
      name: 'send',
      recipients: [],
      text: '请检查一下代码质量\n\n```ts\n  const x = 1;\n```\n  trailing  ',
      explicit: false,
    });
  });

  it('parses /send recipients (space or comma separated, full-width comma too) and keeps the body exactly', () => {
    expect(parseCommand("/send @foreman Please assign today's tasks")).toEqual({
      name: 'send',
      recipients: ['foreman'],
      text: "Please assign today's tasks",
      explicit: true,
    });
    expect(parseCommand('/send @a,@b @c  two  spaces')).toMatchObject({ recipients: ['a', 'b', 'c'], text: 'two  spaces' });
    expect(parseCommand('/send @a，@b 中文')).toMatchObject({ recipients: ['a', 'b'], text: '中文' });
    expect(parseCommand('/send @peer\n    indented()\n')).toMatchObject({ recipients: ['peer'], text: '    indented()\n' });
    expect(parseCommand('/send no recipients here')).toMatchObject({ recipients: [], text: 'no recipients here' });
    expect(parseCommand('/send @all')).toMatchObject({ recipients: ['all'], text: '' });
  });

  it('reports unknown slash commands and leaves paths and lone slashes to the agents', () => {
    expect(parseCommand('/frobnicate now')).toEqual({ name: 'unknown', word: '/frobnicate' });
    expect(parseCommand('/statusx')).toEqual({ name: 'unknown', word: '/statusx' });
    expect(parseCommand('/usr/bin/env is missing')).toMatchObject({ name: 'unknown' });
    expect(parseCommand('/ just a slash')).toMatchObject({ name: 'send', text: '/ just a slash' });
    expect(parseCommand('1/2 done')).toMatchObject({ name: 'send', text: '1/2 done' });
  });
});

describe('splitRecipients', () => {
  it('stops at the first word that is not an @token', () => {
    expect(splitRecipients('@a hello @b')).toEqual({ recipients: ['a'], rest: 'hello @b' });
    expect(splitRecipients('hello')).toEqual({ recipients: [], rest: 'hello' });
  });
});

describe('robot mention prefix', () => {
  it('does not mistake a later slash in ordinary text for a command', () => {
    expect(parseCommand('@peer please run the tests and then /status me')).toMatchObject({ name: 'send' });
    expect(parseCommand('@My Cool Bot /pause')).toEqual({ name: 'pause' });
  });

  // Command words are lower-cased first, so only all-lower-case members (constructor) could match.
  it.each(['/constructor', '/Constructor'])('%s is an unknown command, not an object member', (text) => {
    expect(parseCommand(text)).toEqual({ name: 'unknown', word: text });
  });
});
