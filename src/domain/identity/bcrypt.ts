/**
 * A bcrypt hash as every library writes it: $2a$/$2b$/$2y$, a cost of 04..31,
 * 53 characters of salt and digest. The hasher compares only such a hash (any
 * other matches nothing), and the legacy import keeps only such a hash.
 */
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/

export const isBcryptHash = (hash: string): boolean => BCRYPT.test(hash)
