/** Replaces secrets in text: the actual secret values first, then anything secret-shaped. */
export type Redactor = (text: string) => string;

export const REDACTED = "[REDACTED]";

// Values shorter than this are too common ("true", "1") to redact without mangling ordinary text.
const MIN_SECRET_LENGTH = 8;

// Secret-shaped text, for secrets whose value the job never saw (a token printed by a tool, a key in a
// file). Each pattern keeps the label and replaces only the credential.
const SECRET_SHAPES: readonly { readonly pattern: RegExp; readonly replacement: string }[] = [
  {
    pattern: /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END \1PRIVATE KEY\2-----|$)/g,
    replacement: REDACTED,
  },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{30,255}\b/g, replacement: REDACTED },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g, replacement: REDACTED },
  { pattern: /\bsk-ant-[A-Za-z0-9_-]{16,}/g, replacement: REDACTED },
  { pattern: /\bv1\.[0-9a-f]{40}\b/g, replacement: REDACTED },
  { pattern: /\bAKIA[0-9A-Z]{16}\b/g, replacement: REDACTED },
  { pattern: /\b(Authorization:\s*(?:Bearer|Basic|token)\s+)\S+/gi, replacement: `$1${REDACTED}` },
  { pattern: /\b(Bearer\s+)[A-Za-z0-9._~+/-]{16,}=*/g, replacement: `$1${REDACTED}` },
];

/**
 * Build a redactor from the secret values this job holds (the Anthropic key, GitHub tokens, …),
 * also catching their URL-encoded and base64 forms, plus the secret-shaped patterns above.
 */
export function createRedactor(secretValues: Iterable<string>): Redactor {
  const forms = new Set<string>();
  for (const value of secretValues) {
    if (value.length < MIN_SECRET_LENGTH) continue;
    forms.add(value);
    forms.add(encodeURIComponent(value));
    for (const encoded of base64Forms(value)) forms.add(encoded);
  }
  const byLength = [...forms].sort((a, b) => b.length - a.length);
  const values = byLength.length === 0 ? undefined : new RegExp(byLength.map(escapeRegExp).join("|"), "g");
  return (text) => {
    let out = values === undefined ? text : text.replace(values, REDACTED);
    for (const { pattern, replacement } of SECRET_SHAPES) out = out.replace(pattern, replacement);
    return out;
  };
}

// Variable names that hold credentials by convention; their values feed the redactor.
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|PRIVATE|SESSION|COOKIE)/i;

/** The values of environment variables whose names look like they hold a secret. */
export function secretValuesFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && SECRET_NAME.test(name) && value.length >= MIN_SECRET_LENGTH)
      values.push(value);
  }
  return values;
}

/**
 * The base64 text a value turns into wherever it sits in a longer encoded string: one form per byte
 * alignment, keeping only the characters that depend on the value's bytes alone. This catches, for
 * example, a token inside the `AUTHORIZATION: basic base64(x-access-token:TOKEN)` header that
 * actions/checkout keeps in `.git/config`.
 */
export function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    const first = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    const form = encoded.slice(first, end);
    if (form.length >= MIN_SECRET_LENGTH) forms.push(form);
  }
  return forms;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
