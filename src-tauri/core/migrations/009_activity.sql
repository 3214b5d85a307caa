-- 009: the desk's own work (register/activity.rs, register/report.rs; issue 15): every contact at the
-- desk, the staff time that is not a contact, and the satisfaction answers. Never edit once shipped: add a
-- new numbered file.
--
-- These are the funder's statistics, not the reminder log of 008 (`contacts`: calls the agenda asks for,
-- contact data that retention clears with the phone and e-mail). A desk contact keeps no free text and no
-- name; a walk-in has no case at all.

-- One contact at the desk (a visit or a call). `day` and `first_day` are dates as integers YYYYMMDD
-- (compact in the report's index, still readable). `case_id` NULL: an anonymous walk-in (`walk_in` 1), or
-- a case since anonymised (the link is dropped, the counts stay). `person`: a random token standing for
-- the person across their contacts (the same for every contact of a case and of the cases renewing it; a
-- fresh one for each walk-in), never derived from an id; `first_day` the day of the person's first desk
-- contact (new or returning in a period without a second look-up). Citizenship (main, ISO alpha-3), sex
-- and age band are the applicant's on the day, copied so that anonymisation and later edits change no
-- past count; procedure and motivo likewise ('' for a walk-in). `services`: the bits of activity.toml's
-- services. `operator`: the operator's number in `desk_operators` (small, for the index).
CREATE TABLE desk_contacts (
    id INTEGER PRIMARY KEY,
    day INTEGER NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    case_id INTEGER REFERENCES cases(id),
    walk_in INTEGER NOT NULL CHECK (walk_in IN (0, 1)),
    person INTEGER NOT NULL,
    first_day INTEGER NOT NULL,
    citizenship TEXT NOT NULL DEFAULT '',
    sex TEXT NOT NULL DEFAULT '',
    age_band TEXT NOT NULL DEFAULT '',
    procedure TEXT NOT NULL DEFAULT '',
    motivo TEXT NOT NULL DEFAULT '',
    services INTEGER NOT NULL CHECK (services > 0),
    language TEXT NOT NULL DEFAULT '',
    mediator INTEGER NOT NULL DEFAULT 0 CHECK (mediator IN (0, 1)),
    minutes INTEGER NOT NULL CHECK (minutes BETWEEN 0 AND 1440),
    operator INTEGER NOT NULL REFERENCES desk_operators(no)
) STRICT;

-- The operators' ids as small numbers for the contacts' index (an operator UUID is 36 bytes).
CREATE TABLE desk_operators (
    no INTEGER PRIMARY KEY,
    operator_id TEXT NOT NULL UNIQUE
) STRICT;

-- The report reads a period as one range of this index, which holds every column it counts (a covering
-- index: the table itself is never read). Kept narrow: the encrypted pages it spans are what a report
-- decrypts.
CREATE INDEX desk_contacts_report ON desk_contacts
    (day, person, first_day, citizenship, sex, age_band, services, minutes, motivo, walk_in, mediator,
     operator);
CREATE INDEX desk_contacts_case ON desk_contacts (case_id) WHERE case_id IS NOT NULL;

-- Time an operator gave to the desk's work that is not a contact (back office, training, network
-- meetings), per day.
CREATE TABLE staff_time (
    id INTEGER PRIMARY KEY,
    operator_id TEXT NOT NULL,
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
    at TEXT NOT NULL
) STRICT;
CREATE INDEX staff_time_day ON staff_time (day, operator_id);

-- The satisfaction answers, kept apart from identity: a counter per month and answer, nothing else. No
-- row per answer (so no order, time or rowid to set beside a collection step), no case, no operator.
CREATE TABLE satisfaction (
    month TEXT NOT NULL,
    answer TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (month, answer)
) STRICT, WITHOUT ROWID;

-- The report's counts of steps in a period (procedures started, kits sent, permits collected).
CREATE INDEX steps_kind_date ON steps (kind, date);
