import { Type, type TSchema } from '@sinclair/typebox'

/** The error body every non-2xx response has. */
export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String(),
    message: Type.String(),
    /** the same sentence as message, under the name the club's frontend reads */
    detail: Type.String(),
    request_id: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
)

export const Uuid = Type.String({ format: 'uuid' })
export const IdParams = Type.Object({ id: Uuid })
/** RFC 3339; the validator takes years 0001 to 9999 and no leap second (plugins/validation.ts) */
export const Timestamp = Type.String({ format: 'date-time' })
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

/** Error responses a route may give, for the OpenAPI document. */
export function errorResponses(...codes: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries([400, 401, 403, 413, 415, 429, ...codes].map((c) => [c, ErrorBody]))
}

export const Cursor = Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]*$' })
export const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 50 })
