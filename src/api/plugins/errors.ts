import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { isConnectionError } from '../../platform/connection-errors'
import { RedisUnavailable } from '../../platform/outage'
import { DomainError } from '../../domain/decider'
import type { RefusalCode } from '../../domain/refusals'
import { WrongExpectedVersion } from '../../store/event-store'
import { ApiError, REFUSAL_STATUS, errorBody, errors } from '../errors'
import type { App } from '../types'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** statuses this route gives some refusals instead of REFUSAL_STATUS's (login: an expired approval is a 403) */
    refusalStatus?: Partial<Record<RefusalCode, number>>
  }
}

/** fastify's own client errors, given our codes */
const FASTIFY_CODES: Record<string, ApiError | (() => ApiError)> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => errors.unsupportedMediaType(),
  FST_ERR_CTP_BODY_TOO_LARGE: () => errors.payloadTooLarge(),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    errors.validation(undefined, undefined, 'Content-Length does not match the body'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    errors.invalidJson(undefined, undefined, 'The body is empty; send JSON or no Content-Type'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => errors.invalidJson(),
  FST_ERR_BAD_URL: () => errors.validation(undefined, undefined, 'The URL is not valid (a malformed % escape)'),
  FST_ERR_MAX_PARAM_LENGTH: () => errors.uriTooLong(),
}

function toApiError(err: FastifyError | Error, refusalStatus: Partial<Record<RefusalCode, number>> = {}): ApiError {
  if (err instanceof ApiError) return err
  // retries ran out under contention: the client may simply try again
  if (err instanceof WrongExpectedVersion) return errors.conflict()
  if (err instanceof DomainError)
    return new ApiError(refusalStatus[err.code] ?? REFUSAL_STATUS[err.code], err.code, err.message, err.details)
  const fe = err as FastifyError
  if (fe.validation) return errors.validation(undefined, undefined, fe.message)
  const known = fe.code ? FASTIFY_CODES[fe.code] : undefined
  if (known) return typeof known === 'function' ? known() : known
  if (err instanceof SyntaxError && fe.statusCode === 400) return errors.invalidJson()
  if (isConnectionError(err) || err instanceof RedisUnavailable) return errors.unavailable()
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new ApiError(fe.statusCode, fe.statusCode === 404 ? 'not_found' : 'bad_request', fe.message)
  }
  return errors.internal()
}

/**
 * The router's own refusals (a malformed % escape, an over-long path
 * parameter) come here, not to the error handler: fastify would otherwise
 * answer them itself, in its own words, echoing the path, without a request id.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const api = toApiError(err)
  request.log.info({ code: api.code, statusCode: api.statusCode }, 'request refused')
  void reply.status(api.statusCode).header('x-request-id', request.id).send(errorBody(api, request.id))
}

/**
 * The one place errors become responses (errorBody). The text of a 5xx is never shown; the cause goes to the log.
 */
export function registerErrorHandling(app: App, methodsOf: (path: string) => string[]): void {
  app.setErrorHandler((err, request, reply) => {
    const api = toApiError(err as Error, request.routeOptions.config.refusalStatus)
    if (api.statusCode >= 500) request.log.error({ err }, 'request failed')
    else request.log.info({ code: api.code, statusCode: api.statusCode }, 'request refused')
    for (const [k, v] of Object.entries(api.headers)) reply.header(k, v)
    return reply.status(api.statusCode).send(errorBody(api, request.id))
  })
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0]!
    const allowed = methodsOf(path)
    if (allowed.length === 0) return reply.status(404).send(errorBody(errors.routeNotFound(), request.id))
    // a known path, another method: say which ones it has
    return reply.status(405).header('allow', allowed.join(', ')).send(errorBody(errors.methodNotAllowed(), request.id))
  })
}
