-- 001: the case register. Never edit once shipped: add a new numbered file instead.

-- Per-year counter of case numbers: a number once given is never given again.
CREATE TABLE case_counter (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
) STRICT;

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    number TEXT NOT NULL UNIQUE,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- Idempotency key sent by the form: saving twice returns the first case.
    request_id TEXT UNIQUE,
    renewed_from INTEGER REFERENCES cases(id),
    procedure TEXT NOT NULL,
    motivo_code TEXT NOT NULL,
    permit_motivo TEXT NOT NULL DEFAULT '',
    permit_number TEXT NOT NULL DEFAULT '',
    permit_expiry TEXT NOT NULL DEFAULT '',
    -- The permit recorded at collection; pre-fills the renewal.
    issued_motivo TEXT NOT NULL DEFAULT '',
    issued_number TEXT NOT NULL DEFAULT '',
    issued_expiry TEXT NOT NULL DEFAULT '',
    -- Derived from the latest effective step; kept here so the list needs no join on steps.
    status TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    UNIQUE (year, seq)
) STRICT;

-- The applicant (ord 0) and the household members of a case. Each case keeps its own copy: a case is
-- the record of what was filed then, and a renewal copies it forward.
CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    ord INTEGER NOT NULL,
    role TEXT NOT NULL,
    surname TEXT NOT NULL,
    given_names TEXT NOT NULL DEFAULT '',
    sex TEXT NOT NULL DEFAULT '',
    birth_date TEXT NOT NULL DEFAULT '',
    birth_place TEXT NOT NULL DEFAULT '',
    birth_country TEXT NOT NULL DEFAULT '',
    -- ISO alpha-3 codes separated by spaces, main citizenship first.
    citizenships TEXT NOT NULL DEFAULT '',
    codice_fiscale TEXT NOT NULL DEFAULT '',
    doc_kind TEXT NOT NULL DEFAULT '',
    doc_number TEXT NOT NULL DEFAULT '',
    doc_authority TEXT NOT NULL DEFAULT '',
    doc_issue_date TEXT NOT NULL DEFAULT '',
    doc_expiry_date TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    street TEXT NOT NULL DEFAULT '',
    house_number TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    comune TEXT NOT NULL DEFAULT '',
    province TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    UNIQUE (case_id, ord)
) STRICT;

CREATE INDEX persons_doc_number ON persons (doc_number) WHERE doc_number <> '';
CREATE INDEX persons_codice_fiscale ON persons (codice_fiscale) WHERE codice_fiscale <> '';
CREATE INDEX cases_updated ON cases (updated_at, id);
CREATE INDEX cases_renewed_from ON cases (renewed_from) WHERE renewed_from IS NOT NULL;

-- The dated history of a case. Append-only: a mistake is voided by a later 'correction' entry.
CREATE TABLE steps (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    date TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    operator TEXT NOT NULL,
    -- Kept as a column (digits only) so the assicurata number is searchable.
    assicurata TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '{}',
    note TEXT NOT NULL DEFAULT '',
    corrects INTEGER REFERENCES steps(id)
) STRICT;

CREATE INDEX steps_case ON steps (case_id, id);
CREATE INDEX steps_assicurata ON steps (assicurata) WHERE assicurata <> '';
CREATE UNIQUE INDEX steps_one_correction ON steps (corrects) WHERE corrects IS NOT NULL;

CREATE TRIGGER steps_no_update BEFORE UPDATE ON steps
BEGIN
    SELECT RAISE(ABORT, 'steps are append-only');
END;

CREATE TRIGGER steps_no_delete BEFORE DELETE ON steps
BEGIN
    SELECT RAISE(ABORT, 'steps are append-only');
END;

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
