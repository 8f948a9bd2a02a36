/** The one error body of the HTTP API (docs/errors.md), checked as a client would read it. */
import { expect } from "chai";

export interface ErrorBody {
  success: false;
  error: string;
  error_code: string;
  detail: null | string | Array<{ loc: Array<string | number>; msg: string; type: string }>;
}

/** Asserts the status and `error_code` of an error answer and returns its body. */
export async function expectError(response: Response, status: number, code: string): Promise<ErrorBody> {
  expect(response.status).to.equal(status);
  const body = (await response.json()) as ErrorBody;
  expect(body).to.include({ success: false, error_code: code });
  return body;
}
