/**
 * The table as it leaves the services: every result scrubbed of every known secret, every
 * failure a BridgeError with a scrubbed problem — and no call before the secrets are known.
 */
import type { ApiHandlers, ApiMethod, ProblemView } from '../../shared/api';
import { BridgeError, toProblem } from '../errors';
import type { Logger } from '../log/logger';
import { problemView, scrub } from './views';

export function scrubbedHandlers(raw: ApiHandlers, o: { ready: Promise<void>; secrets: () => string[]; log: Logger }): ApiHandlers {
  return Object.fromEntries(
    (Object.keys(raw) as ApiMethod[]).map((method) => [
      method,
      async (input: never) => {
        await o.ready;
        try {
          return scrub(await (raw[method] as (i: never) => Promise<unknown>)(input), o.secrets());
        } catch (err) {
          if (!(err instanceof BridgeError)) o.log.error(`${method} failed unexpectedly`, { error: err });
          const problem: ProblemView = scrub(problemView(toProblem(err)), o.secrets());
          throw new BridgeError(problem);
        }
      },
    ]),
  ) as ApiHandlers;
}
