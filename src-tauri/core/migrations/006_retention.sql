-- 006: retention and the applicant's rights (register/retention.rs). Never edit once shipped: add a new
-- numbered file.
--
-- A case can be restricted (GDPR art. 18: hidden from search and lists, kept, not changed) and anonymised
-- (only what the funder's statistics need is left: citizenship, sex, year of birth, procedure and motivo,
-- the step kinds by month and who recorded them). Both are marked on the case; who did it and when is in
-- the audit trail.

-- RFC 3339 UTC (Clock::recorded_at) of the anonymisation; NULL while the case holds personal data.
ALTER TABLE cases ADD COLUMN anonymised_at TEXT;
-- RFC 3339 UTC of the restriction; NULL when the case is not restricted.
ALTER TABLE cases ADD COLUMN restricted_at TEXT;
-- Why (retention::RestrictionReason's snake_case code), '' when not restricted. A code, never free text.
ALTER TABLE cases ADD COLUMN restriction_reason TEXT NOT NULL DEFAULT '';

-- Search leaves restricted cases out through this (small) index; the retention screens list both.
CREATE INDEX cases_restricted ON cases (restricted_at) WHERE restricted_at IS NOT NULL;
CREATE INDEX cases_anonymised ON cases (anonymised_at) WHERE anonymised_at IS NOT NULL;

-- The history stays append-only, with one exception: forgetting. An UPDATE of a step is allowed only if
-- it changes nothing but erasing: the note emptied, the details emptied to '{}', the assicurata emptied,
-- the event's date and the recording time cut to their month ('YYYY-MM'), and only on a closed case
-- (collected, closed, withdrawn, referred: steps::is_final). Kind, operator, case, order and corrections
-- never change, so no update can make the history say something else; it can only say less. DELETE is
-- still refused.
DROP TRIGGER steps_no_update;

CREATE TRIGGER steps_no_update BEFORE UPDATE ON steps
WHEN NOT (
    new.id = old.id
    AND new.case_id = old.case_id
    AND new.kind = old.kind
    AND new.operator = old.operator
    AND new.corrects IS old.corrects
    AND new.note IN (old.note, '')
    AND new.details IN (old.details, '{}')
    AND new.assicurata IN (old.assicurata, '')
    AND new.date IN (old.date, substr(old.date, 1, 7))
    AND new.recorded_at IN (old.recorded_at, substr(old.recorded_at, 1, 7))
    AND (SELECT status FROM cases WHERE id = old.case_id)
        IN ('collected', 'closed', 'withdrawn', 'referred')
)
BEGIN
    SELECT RAISE(ABORT, 'steps are append-only');
END;
