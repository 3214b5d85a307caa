-- 008: the desk's agenda (register/agenda.rs): the applicant's consent to be reminded and the contact
-- log of a case, and the indexes the agenda's buckets read. Never edit once shipped: add a new numbered
-- file.
--
-- Both tables hold personal data: retention clears them with the case's contacts (consent, log) and its
-- notes (a contact's note), anonymisation removes them, and every write is an audit entry.

-- The applicant's consent to reminders, one row per case (a case keeps its own copy of its people; a
-- renewal copies the row forward). Channels are 0/1; `given_on` the day the applicant gave it
-- (YYYY-MM-DD); `withdrawn_on` the day they withdrew it ('' while in force). Who recorded it is in the
-- audit trail.
CREATE TABLE consents (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    phone INTEGER NOT NULL DEFAULT 0 CHECK (phone IN (0, 1)),
    sms INTEGER NOT NULL DEFAULT 0 CHECK (sms IN (0, 1)),
    email INTEGER NOT NULL DEFAULT 0 CHECK (email IN (0, 1)),
    letter INTEGER NOT NULL DEFAULT 0 CHECK (letter IN (0, 1)),
    -- The language reminders are written in (a code of languages.toml), '' for the applicant's own.
    language TEXT NOT NULL DEFAULT '',
    given_on TEXT NOT NULL DEFAULT '',
    withdrawn_on TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
) STRICT;

-- Each contact with the applicant about a case: when (`day` the local day, `at` RFC 3339 UTC), how
-- (`channel`), with what outcome, by whom (operator id), for which agenda bucket ('' when recorded on the
-- case's screen: it answers every to-call row of the case), and an optional note (free text: minimised
-- with the notes).
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    day TEXT NOT NULL,
    at TEXT NOT NULL,
    channel TEXT NOT NULL,
    outcome TEXT NOT NULL,
    bucket TEXT NOT NULL DEFAULT '',
    operator_id TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
) STRICT;

-- The latest contact of a case for a bucket (the row's next due date), and the dimora confirmations.
CREATE INDEX contacts_case ON contacts (case_id, bucket, day);

-- The agenda's reads, each a range on a small or bounded index:
-- permits by the expiry that matters (the issued one once collected, else the one held), among the cases
-- that ended (an open case is itself the renewal) and still hold personal data;
CREATE INDEX cases_agenda_expiry ON cases (coalesce(nullif(issued_expiry, ''), permit_expiry))
    WHERE status IN ('collected', 'closed', 'withdrawn', 'referred')
      AND anonymised_at IS NULL AND restricted_at IS NULL;
-- open cases by status and the day of the step that set it (kits sent that day, permits ready since), so
-- "kits sent 60 days ago or more" is a range and a bucket's first rows need no sort. The day is kept by
-- the trigger below whenever the status is written (a step, a correction, an import): the latest
-- effective step's date, as `steps` derives the status from it. An open case has few such rows beside
-- the ended ones;
ALTER TABLE cases ADD COLUMN status_date TEXT NOT NULL DEFAULT '';
UPDATE cases SET status_date = coalesce((SELECT s.date FROM steps s
    WHERE s.case_id = cases.id AND s.kind <> 'correction'
      AND NOT EXISTS (SELECT 1 FROM steps x WHERE x.corrects = s.id)
    ORDER BY s.id DESC LIMIT 1), '');
CREATE TRIGGER cases_status_date AFTER UPDATE OF status ON cases
BEGIN
    UPDATE cases SET status_date = coalesce((SELECT s.date FROM steps s
        WHERE s.case_id = new.id AND s.kind <> 'correction'
          AND NOT EXISTS (SELECT 1 FROM steps x WHERE x.corrects = s.id)
        ORDER BY s.id DESC LIMIT 1), '')
    WHERE id = new.id;
END;
CREATE INDEX cases_open_status ON cases (status, status_date)
    WHERE status NOT IN ('collected', 'closed', 'withdrawn', 'referred');
-- appointments by day, and collections by day (the dimora term starts there).
CREATE INDEX steps_appointment_day ON steps (json_extract(details, '$.appointmentDate'))
    WHERE kind = 'questura_appointment';
CREATE INDEX steps_collected_day ON steps (date) WHERE kind = 'collected';
