/** An error GitHub would answer with: its status, message and optional `errors` list. */
export class GitHubError extends Error {
  readonly status: number;
  readonly errors: unknown[] | undefined;
  readonly headers: Record<string, string>;
  /** The docs page of the operation that failed (the server fills it in). */
  documentationUrl: string | undefined;

  constructor(
    status: number,
    message: string,
    options: { errors?: unknown[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "GitHubError";
    this.status = status;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.documentationUrl = undefined;
  }
}

/** 404 with GitHub's message, for anything the caller may not see or that does not exist. */
export function notFound(): GitHubError {
  return new GitHubError(404, "Not Found");
}

/** 422 "Validation Failed" with one `errors` entry, GitHub's shape for a rejected field. */
export function validationFailed(
  resource: string,
  field: string,
  code: string,
  message?: string,
): GitHubError {
  const error: Record<string, string> = { resource, field, code };
  if (message) error.message = message;
  return new GitHubError(422, "Validation Failed", { errors: [error] });
}
