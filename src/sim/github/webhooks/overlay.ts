/**
 * Lays the world's object over a published example: the world's fields win, and where the
 * example has a field the world does not know, the example's value stays (the published
 * examples predate some fields the schemas now require, which the world's shapes carry). Where
 * either value is not an object (null, a list, a scalar), the world's value replaces it whole.
 */
export function overlay(example: unknown, world: unknown): unknown {
  if (world === undefined) return example;
  if (!isPlainObject(example) || !isPlainObject(world)) return world;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(example)) out[key] = overlay(value, world[key]);
  for (const [key, value] of Object.entries(world)) if (!(key in example)) out[key] = value;
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
