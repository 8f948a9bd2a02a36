/**
 * Errors of URL sources. A URL the server will not or cannot use is the client's input being wrong: a 422
 * ValidationError naming the field, with a `detail[].type` to branch on. Failures of the server the client
 * pointed us at are UpstreamError → 502 Bad Gateway and UpstreamTimeoutError → 504 Gateway Timeout (RFC 9110
 * §15.6.3, §15.6.5: this server acted as a client of another server on the request's behalf). The two classes
 * live with the other domain errors in src/domain/errors.ts.
 */
import { ValidationError } from "../domain/errors.js";

/**
 * A 422 for a URL field. `type`: url_invalid, url_scheme, url_sources_disabled, url_host_not_allowed,
 * url_host_not_found, url_redirect_scheme, url_too_many_redirects, url_http_status or url_empty.
 */
export function invalidUrl(field: string, msg: string, type: string): ValidationError {
  return new ValidationError(`${field}: ${msg}`, [{ loc: ["body", field], msg, type }]);
}
