/** The package version, for `--version` and the Stream client's user agent. */
import pkg from '../../package.json' with { type: 'json' };

export const APP_VERSION: string = pkg.version;
