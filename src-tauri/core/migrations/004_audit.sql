-- 004: the audit trail (GDPR art. 5(2) accountability, art. 32 security): who did what to which case and
-- when, written by register/audit.rs in the same transaction as the change it records. Append-only: the
-- triggers refuse UPDATE and DELETE, and each entry's hash covers the previous entry's hash and its own
-- columns, so a change made to the file by other means shows in `audit::verify`. No applicant's name,
-- document number or other personal value is ever written here (see the rule in audit.rs).
-- 004 (the operators table) comes before this file. Never edit once shipped: add a new numbered file.

CREATE TABLE audit (
    -- 1, 2, 3… without gaps, given by audit::append: a missing number is a removed entry.
    seq INTEGER PRIMARY KEY,
    -- RFC 3339 UTC with milliseconds (Clock::recorded_at).
    at TEXT NOT NULL,
    -- The counter's local date (Clock::today), which the period filter compares: the UTC date of `at`
    -- would put the first hour or two of an Italian day on the day before.
    day TEXT NOT NULL,
    -- The signed-in operator's id; NULL when nobody is (a failed sign-in).
    operator_id TEXT,
    -- The operator's display name at that moment (a later rename does not rewrite history), or the
    -- name chosen at a failed sign-in.
    operator TEXT NOT NULL,
    -- audit::Action's snake_case name (translated as audit.action.<name>).
    action TEXT NOT NULL,
    -- No foreign key: the entry must outlive the case (a retention run, an anonymisation).
    case_uuid TEXT,
    -- A small JSON object (audit::Detail): field paths, a step's kind, a paper's kind, a file name, a count.
    detail TEXT NOT NULL DEFAULT '{}',
    -- Lower-case hex SHA-256; the first entry's prev_hash is 64 zeros.
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
) STRICT;

-- An index ends with the rowid, which is `seq`: an operator, a case or an action is listed newest first
-- straight from its index; a period's range is found by `audit_day` and then sorted.
CREATE INDEX audit_operator ON audit (operator_id) WHERE operator_id IS NOT NULL;
CREATE INDEX audit_case ON audit (case_uuid) WHERE case_uuid IS NOT NULL;
CREATE INDEX audit_action ON audit (action);
CREATE INDEX audit_day ON audit (day);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
