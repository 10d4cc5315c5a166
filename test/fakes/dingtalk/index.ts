/** The fake DingTalk is a product feature now (the sandbox); tests import it from here. */
export * from '../../../electron/sandbox/dingtalk/index';
