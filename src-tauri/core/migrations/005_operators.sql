-- 005: the people who work at the desk. Each signs in with their own passphrase, which unwraps their
-- slot of the register's key (mixite.keys); what they may do follows their role. Nobody is ever
-- deleted: a person who leaves is disabled (and their key slot removed), so the steps, papers and audit
-- entries they recorded still name them.

CREATE TABLE operators (
    -- A UUID: the key slot's id and the audit trail's operator_id.
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- The name folded (see store::name_key): two operators may not differ only in case or accents.
    name_key TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('operatore', 'responsabile')),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    changed_at TEXT NOT NULL
) STRICT;

CREATE TRIGGER operators_never_deleted BEFORE DELETE ON operators
BEGIN
    SELECT RAISE(ABORT, 'operators are disabled, never deleted');
END;
