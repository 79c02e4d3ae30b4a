/** What the offline API knows about a model: its caching floor and output ceiling. */
export interface ModelInfo {
  /** The canonical (dated or family) id the model answers as. */
  id: string;
  /** Shortest prefix, in tokens, that prompt caching will store (Anthropic's per-model minimum). */
  minCacheableTokens: number;
  /** Largest `max_tokens` the model accepts. */
  maxOutputTokens: number;
}

// Minimum cacheable prefixes from Anthropic's prompt-caching documentation: 512 tokens for
// Opus 5, Fable 5 and Mythos 5; 1,024 for Opus 4.8, Sonnet 5, Sonnet 4.6/4.5/4, Opus 4.1/4;
// 2,048 for Opus 4.7; 4,096 for Opus 4.6, Opus 4.5 and Haiku 4.5. The 5.1/5.2/5.5 releases
// publish no figure of their own in the sources read; they take their generation's 512.
// Output ceilings from each model's overview page. Aliases and dated ids both resolve.
const families: { ids: string[]; minCacheableTokens: number; maxOutputTokens: number }[] = [
  {
    ids: [
      "claude-opus-5",
      "claude-fable-5",
      "claude-mythos-5",
      "claude-opus-5-5",
      "claude-sonnet-5-5",
      "claude-haiku-5-5",
      "claude-fable-5-1",
      "claude-fable-5-2",
      "claude-mythos-5-1",
      "claude-mythos-5-2",
    ],
    minCacheableTokens: 512,
    maxOutputTokens: 128000,
  },
  { ids: ["claude-sonnet-5", "claude-opus-4-8"], minCacheableTokens: 1024, maxOutputTokens: 128000 },
  { ids: ["claude-opus-4-7"], minCacheableTokens: 2048, maxOutputTokens: 128000 },
  { ids: ["claude-opus-4-6"], minCacheableTokens: 4096, maxOutputTokens: 128000 },
  { ids: ["claude-sonnet-4-6"], minCacheableTokens: 1024, maxOutputTokens: 64000 },
  { ids: ["claude-opus-4-5", "claude-opus-4-5-20251101"], minCacheableTokens: 4096, maxOutputTokens: 64000 },
  {
    ids: ["claude-haiku-4-5", "claude-haiku-4-5-20251001"],
    minCacheableTokens: 4096,
    maxOutputTokens: 64000,
  },
  {
    ids: ["claude-sonnet-4-5", "claude-sonnet-4-5-20250929"],
    minCacheableTokens: 1024,
    maxOutputTokens: 64000,
  },
  { ids: ["claude-opus-4-1", "claude-opus-4-1-20250805"], minCacheableTokens: 1024, maxOutputTokens: 32000 },
  { ids: ["claude-opus-4-0", "claude-opus-4-20250514"], minCacheableTokens: 1024, maxOutputTokens: 32000 },
  {
    ids: ["claude-sonnet-4-0", "claude-sonnet-4-20250514"],
    minCacheableTokens: 1024,
    maxOutputTokens: 64000,
  },
];

const byId = new Map<string, ModelInfo>();
for (const family of families)
  for (const id of family.ids)
    byId.set(id, {
      id,
      minCacheableTokens: family.minCacheableTokens,
      maxOutputTokens: family.maxOutputTokens,
    });

/** The model a request names, or undefined when the offline API does not know it. */
export function findModel(id: string): ModelInfo | undefined {
  return byId.get(id);
}

/** Every model id the offline API answers to. */
export function knownModelIds(): string[] {
  return [...byId.keys()];
}
