/** Where the embedded store lives by default: known to every command without loading the store. */

/** Default location of the embedded store, relative to the working folder. */
export const DEFAULT_STORE_PATH = '.palisade/palisade.db';
