-- 003: the papers printed for a case and kept in the data folder's print/. A file belongs to a case
-- through this record, by the case's UUID (which travels with the case between desks), never through a
-- number in its name: a case number can change on import, a UUID cannot. The file itself is
-- print/<case_uuid>/<name>; printing the same paper again the same day replaces the file and its record.

CREATE TABLE papers (
    id INTEGER PRIMARY KEY,
    case_uuid TEXT NOT NULL REFERENCES cases(uuid),
    -- The file name inside print/<case_uuid>/: ASCII letters, digits, '.', '_', '-', ending in .pdf.
    name TEXT NOT NULL,
    -- What the paper is: checklist, guide, ricevuta, informativa, ospitalita, delega; 'imported' for a
    -- file that came with a case from another desk.
    kind TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    -- SHA-256 of the file, lower-case hex: an import that brings the same file again adds nothing.
    sha256 TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    -- Who printed it ('' for an imported file: the other desk's operator is not known here).
    operator TEXT NOT NULL DEFAULT '',
    UNIQUE (case_uuid, name)
) STRICT;
