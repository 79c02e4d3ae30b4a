// The ledger's public face: open it, use its stores, read its records. Nothing here exposes SQL.
export { Ledger, openLedger } from "./ledger.ts";
export type { OpenLedgerOptions } from "./ledger.ts";
export { LedgerError, LedgerOpenError, LedgerSchemaError } from "./errors.ts";
export { resolveLedgerTarget, defaultLedgerPath } from "./target.ts";
export type { LedgerTarget } from "./target.ts";
export * from "./records.ts";
export type { EventFilter } from "./stores/events.ts";
export type { CvScope } from "./stores/agents.ts";
export type { PullHead } from "./stores/reviews.ts";
