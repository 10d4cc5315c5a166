/** CCCC ledger writing lives in the sandbox (product code); tests import it from here. */
export * from '../../../electron/sandbox/cccc/ledger';
