import * as z from "zod";

// Anthropic's error taxonomy: each type has one HTTP status.
const statusByType = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
} as const;

/** The `error.type` values Anthropic documents. */
export const apiErrorTypeSchema = z.enum(
  Object.keys(statusByType) as [keyof typeof statusByType, ...(keyof typeof statusByType)[]],
);
export type ApiErrorType = z.infer<typeof apiErrorTypeSchema>;

/** An error the offline API answers with; `status` follows from `type`. */
export class ApiError extends Error {
  readonly type: ApiErrorType;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(type: ApiErrorType, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "ApiError";
    this.type = type;
    this.status = statusByType[type];
    this.headers = headers;
  }

  /** The JSON body Anthropic sends: `{type: "error", error: {type, message}, request_id}`. */
  body(requestId: string): {
    type: "error";
    error: { type: ApiErrorType; message: string };
    request_id: string;
  } {
    return { type: "error", error: { type: this.type, message: this.message }, request_id: requestId };
  }
}

/** Shorthand for the most common answer: a 400 naming what is wrong and where. */
export function invalidRequest(message: string): ApiError {
  return new ApiError("invalid_request_error", message);
}
