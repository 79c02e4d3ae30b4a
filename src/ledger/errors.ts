/** A ledger failure whose message says what went wrong and where. */
export class LedgerError extends Error {
  override name = "LedgerError";
}

/** The database could not be opened or reached; nothing was created or changed there. */
export class LedgerOpenError extends LedgerError {
  override name = "LedgerOpenError";
}

/** The database's schema is one this code cannot use (newer, or unknown migrations). */
export class LedgerSchemaError extends LedgerError {
  override name = "LedgerSchemaError";
}
