/** The typed client every screen uses: validates inputs against the contract, then calls the transport. */
import { API, type ApiEvent, type ApiInput, type ApiMethod, type ApiResponse, type ApiResult, type ProblemView } from '../../../electron/shared/api';
import { clientProblem, type StreamState, type Transport } from './transports';

export class ApiError extends Error {
  constructor(readonly problem: ProblemView) {
    super(problem.message);
    this.name = 'ApiError';
  }
}

export class ApiClient {
  constructor(readonly transport: Transport) {}

  /** Never rejects: a bad input or a failed call comes back as `{ ok: false, problem }`. */
  async call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiResponse<M>> {
    const parsed = API[method].input.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        problem: clientProblem('ui.invalid_input', issue ? `${issue.path.join('.') || method}: ${issue.message}` : `Invalid input for ${method}`, {
          field: issue?.path.join('.'),
        }),
      };
    }
    return this.transport.invoke(method, input);
  }

  /** For effects that want the result or a thrown ApiError carrying the problem. */
  async get<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiResult<M>> {
    const res = await this.call(method, input);
    if (!res.ok) throw new ApiError(res.problem);
    return res.result;
  }

  onEvent(listener: (event: ApiEvent) => void): () => void {
    return this.transport.onEvent(listener);
  }

  onStreamState(listener: (state: StreamState) => void): () => void {
    return this.transport.onStreamState(listener);
  }
}
