/**
 * The robot's replies moved to core/i18n/replies.ts. This re-export stays only while bridge.ts
 * and inbound/* (edited in parallel) still import it from here; drop it once they import core/i18n.
 */
export * from '../i18n/replies';
