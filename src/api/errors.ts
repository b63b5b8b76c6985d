import type { RefusalCode } from '../domain/refusals'

/**
 * Every error a client can see, declared once: code, HTTP status, message.
 * Handlers throw `errors.x()`; the central error handler renders
 * `{statusCode, code, message}`. Tests assert on `code`, never on the text.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** extra fields merged into the response body (e.g. approval_request) */
    readonly body: Record<string, unknown> = {},
    /** response headers (e.g. Retry-After) */
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

/**
 * The body of every error response: `code` for programs, `message` and its
 * twin `detail` (the field the club's frontend shows) for people, the request
 * id for support, and whatever the refusal adds.
 */
export function errorBody(api: ApiError, requestId: string): Record<string, unknown> {
  return {
    ...api.body,
    statusCode: api.statusCode,
    code: api.code,
    message: api.message,
    detail: api.message,
    request_id: requestId,
  }
}

function define(statusCode: number, code: string, message: string) {
  const make = (body?: Record<string, unknown>, headers?: Record<string, string>, detail?: string) =>
    new ApiError(statusCode, code, detail ?? message, body, headers)
  return Object.assign(make, { statusCode, code })
}

export const errors = {
  validation: define(400, 'validation_error', 'The request is not valid'),
  invalidJson: define(400, 'invalid_json', 'The body is not valid JSON'),
  invalidForm: define(400, 'invalid_form', 'The form body could not be read'),
  downloadLinkInvalid: define(403, 'download_link_invalid', 'This download link is not valid'),
  downloadLinkExpired: define(403, 'download_link_expired', 'This download link has expired; list the resources again'),
  unauthorized: define(401, 'unauthorized', 'Authentication required'),
  sessionRevoked: define(401, 'session_revoked', 'This session has ended; sign in again'),
  forbidden: define(403, 'forbidden', 'Not allowed'),
  notFound: define(404, 'not_found', 'Not found'),
  routeNotFound: define(404, 'route_not_found', 'No such route'),
  methodNotAllowed: define(405, 'method_not_allowed', 'Method not allowed'),
  conflict: define(409, 'conflict', 'The resource was changed concurrently; retry'),
  payloadTooLarge: define(413, 'payload_too_large', 'The body is larger than this route accepts'),
  uriTooLong: define(414, 'uri_too_long', 'A part of the URL is longer than this service accepts'),
  unsupportedMediaType: define(415, 'unsupported_media_type', 'Send application/json'),
  rateLimited: define(429, 'rate_limited', 'Too many requests; retry later'),
  tooManyStreamTickets: define(
    429,
    'too_many_stream_tickets',
    'You hold the most unused stream tickets allowed; use one or wait for one to expire',
  ),
  tooManyStreams: define(
    429,
    'too_many_streams',
    'You have the most notification streams open allowed; close one first',
  ),
  internal: define(500, 'internal_error', 'Internal Server Error'),
  unavailable: define(503, 'unavailable', 'A dependency is unavailable; retry later'),
  readModelBuilding: define(
    503,
    'read_model_building',
    'What this route reads is being built from the history; retry later',
  ),
} as const

/**
 * The HTTP status of every refusal the domain can give: exhaustive, so a new
 * refusal code does not compile until it has a status here. A route that
 * needs another status for a code declares it (config.refusalStatus).
 */
export const REFUSAL_STATUS = {
  validation_error: 400,
  invalid_email: 400,
  weak_password: 400,
  qr_invalid: 400,
  location_required: 400,
  location_inaccurate: 400,
  empty_file: 400,
  invalid_credentials: 401,
  invalid_refresh_token: 401,
  approval_pending: 403,
  approval_rejected: 403,
  account_deactivated: 403,
  account_removed: 403,
  admin_not_removable: 403,
  not_on_self: 403,
  outside_geofence: 403,
  not_found: 404,
  event_not_found: 404,
  email_taken: 409,
  already_decided: 409,
  approval_expired: 409,
  already_marked: 409,
  event_cancelled: 409,
  event_completed: 409,
  already_exists: 409,
  conflict: 409,
  qr_expired: 410,
  qr_revoked: 410,
  file_too_large: 413,
  file_type_not_allowed: 415,
} as const satisfies Record<RefusalCode, number>
