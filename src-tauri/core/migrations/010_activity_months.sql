-- 010: the report's monthly aggregates of desk contacts (register/report.rs; issue 15, "the yearly
-- report over a million contacts within 200 ms"). Never edit once shipped: add a new numbered file.
--
-- Reading every contact of a year costs SQLCipher a page decryption per few dozen rows and SQLite its
-- per-row work: about 0.9 s over a million contacts. The report of whole months reads these tables
-- instead; the days of a month the period only partly covers are still read from `desk_contacts`.
-- They are kept by the triggers below, inside the statement that writes the contact, so they are in
-- the contact's transaction whatever path wrote it (the app, demo data, a correction, a deletion);
-- anonymisation (`case_id`, `at`) touches no column they hold and fires nothing. `month` is YYYYMM
-- (`day / 100`). Counts of contacts are sums and are taken back exactly on a deletion; distinct
-- persons cannot be summed over months, so each person's month is kept (below) and the report
-- deduplicates persons over the period from it.

-- The bits a contact's services may use (activity.toml: 0..=62) and -1 for "the contact itself".
CREATE TABLE desk_bits (b INTEGER PRIMARY KEY) STRICT;
WITH RECURSIVE n(b) AS (SELECT -1 UNION ALL SELECT b + 1 FROM n WHERE b < 62)
INSERT INTO desk_bits SELECT b FROM n;

-- Contacts per month, walk-in or not, citizenship, sex, age band and service bit (-1: every contact).
-- A walk-in is a person of their own (a fresh token per contact), so for walk-ins these are also the
-- distinct persons.
CREATE TABLE desk_month_cells (
    month INTEGER NOT NULL,
    walk_in INTEGER NOT NULL,
    citizenship TEXT NOT NULL,
    sex TEXT NOT NULL,
    age_band TEXT NOT NULL,
    bit INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (month, walk_in, citizenship, sex, age_band, bit)
) STRICT, WITHOUT ROWID;

-- Contacts, mediated contacts and minutes per month, walk-in or not, services (the whole set, for the
-- indicators' "any of" filters), motivo and, for walk-ins only, sex (the indicators' persons by sex).
CREATE TABLE desk_month_masks (
    month INTEGER NOT NULL,
    walk_in INTEGER NOT NULL,
    services INTEGER NOT NULL,
    motivo TEXT NOT NULL,
    sex TEXT NOT NULL,
    n INTEGER NOT NULL,
    mediated INTEGER NOT NULL,
    minutes INTEGER NOT NULL,
    PRIMARY KEY (month, walk_in, services, motivo, sex)
) STRICT, WITHOUT ROWID;

-- Minutes at the desk per month and operator (the timesheet).
CREATE TABLE desk_month_operators (
    month INTEGER NOT NULL,
    operator INTEGER NOT NULL,
    n INTEGER NOT NULL,
    minutes INTEGER NOT NULL,
    PRIMARY KEY (month, operator)
) STRICT, WITHOUT ROWID;

-- A person's month at the desk (contacts for a case only: walk-ins are counted above): the facts
-- copied into their contacts that month, and the OR of those contacts' services. A person whose
-- citizenship, sex, age band or motivo changed within the month has a row per set of facts, as the
-- contacts do. Rebuilt from the person's contacts of the month when one of them changes or goes (an
-- OR cannot be taken back), through `desk_contacts_person`.
CREATE TABLE desk_person_months (
    month INTEGER NOT NULL,
    person INTEGER NOT NULL,
    citizenship TEXT NOT NULL,
    sex TEXT NOT NULL,
    age_band TEXT NOT NULL,
    motivo TEXT NOT NULL,
    first_day INTEGER NOT NULL,
    services INTEGER NOT NULL,
    PRIMARY KEY (month, person, citizenship, sex, age_band, motivo)
) STRICT, WITHOUT ROWID;

CREATE INDEX desk_contacts_person ON desk_contacts (person, day) WHERE walk_in = 0;

-- The existing contacts.
INSERT INTO desk_month_cells
SELECT d.day / 100, d.walk_in, d.citizenship, d.sex, d.age_band, b.b, count(*)
FROM desk_contacts d JOIN desk_bits b ON b.b < 0 OR (d.services >> b.b) & 1
GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO desk_month_masks
SELECT day / 100, walk_in, services, motivo, iif(walk_in, sex, ''), count(*), sum(mediator), sum(minutes)
FROM desk_contacts GROUP BY 1, 2, 3, 4, 5;

INSERT INTO desk_month_operators
SELECT day / 100, operator, count(*), sum(minutes) FROM desk_contacts GROUP BY 1, 2;

INSERT INTO desk_person_months
SELECT day / 100, person, citizenship, sex, age_band, motivo, first_day, services
FROM desk_contacts WHERE walk_in = 0
ON CONFLICT DO UPDATE SET services = services | excluded.services,
    first_day = min(first_day, excluded.first_day);

-- Keeping them: a new contact adds itself.
CREATE TRIGGER desk_contacts_months_insert AFTER INSERT ON desk_contacts BEGIN
    INSERT INTO desk_month_cells
    SELECT new.day / 100, new.walk_in, new.citizenship, new.sex, new.age_band, b, 1 FROM desk_bits
    WHERE b < 0 OR (new.services >> b) & 1
    ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO desk_month_masks VALUES (new.day / 100, new.walk_in, new.services, new.motivo,
        iif(new.walk_in, new.sex, ''), 1, new.mediator, new.minutes)
    ON CONFLICT DO UPDATE SET n = n + 1, mediated = mediated + excluded.mediated,
        minutes = minutes + excluded.minutes;
    INSERT INTO desk_month_operators VALUES (new.day / 100, new.operator, 1, new.minutes)
    ON CONFLICT DO UPDATE SET n = n + 1, minutes = minutes + excluded.minutes;
    INSERT INTO desk_person_months
    SELECT new.day / 100, new.person, new.citizenship, new.sex, new.age_band, new.motivo,
        new.first_day, new.services
    WHERE new.walk_in = 0
    ON CONFLICT DO UPDATE SET services = services | excluded.services,
        first_day = min(first_day, excluded.first_day);
END;

-- A contact that goes takes itself back; its person's month is rebuilt from what is left.
CREATE TRIGGER desk_contacts_months_delete AFTER DELETE ON desk_contacts BEGIN
    UPDATE desk_month_cells SET n = n - 1
    WHERE month = old.day / 100 AND walk_in = old.walk_in AND citizenship = old.citizenship
      AND sex = old.sex AND age_band = old.age_band AND (bit < 0 OR (old.services >> bit) & 1);
    DELETE FROM desk_month_cells
    WHERE month = old.day / 100 AND walk_in = old.walk_in AND citizenship = old.citizenship
      AND sex = old.sex AND age_band = old.age_band AND n = 0;
    UPDATE desk_month_masks SET n = n - 1, mediated = mediated - old.mediator,
        minutes = minutes - old.minutes
    WHERE month = old.day / 100 AND walk_in = old.walk_in AND services = old.services
      AND motivo = old.motivo AND sex = iif(old.walk_in, old.sex, '');
    DELETE FROM desk_month_masks
    WHERE month = old.day / 100 AND walk_in = old.walk_in AND services = old.services
      AND motivo = old.motivo AND sex = iif(old.walk_in, old.sex, '') AND n = 0;
    UPDATE desk_month_operators SET n = n - 1, minutes = minutes - old.minutes
    WHERE month = old.day / 100 AND operator = old.operator;
    DELETE FROM desk_month_operators WHERE month = old.day / 100 AND operator = old.operator AND n = 0;
    DELETE FROM desk_person_months
    WHERE old.walk_in = 0 AND month = old.day / 100 AND person = old.person;
    INSERT INTO desk_person_months
    SELECT day / 100, person, citizenship, sex, age_band, motivo, first_day, services
    FROM desk_contacts
    WHERE old.walk_in = 0 AND walk_in = 0 AND person = old.person
      AND day BETWEEN old.day / 100 * 100 AND old.day / 100 * 100 + 99
    ON CONFLICT DO UPDATE SET services = services | excluded.services,
        first_day = min(first_day, excluded.first_day);
END;

-- A corrected contact: the old values taken back, the new ones added, both persons' months rebuilt.
CREATE TRIGGER desk_contacts_months_update
AFTER UPDATE OF day, walk_in, person, first_day, citizenship, sex, age_band, motivo, services, mediator,
    minutes, operator ON desk_contacts BEGIN
    UPDATE desk_month_cells SET n = n - 1
    WHERE month = old.day / 100 AND walk_in = old.walk_in AND citizenship = old.citizenship
      AND sex = old.sex AND age_band = old.age_band AND (bit < 0 OR (old.services >> bit) & 1);
    DELETE FROM desk_month_cells
    WHERE month = old.day / 100 AND walk_in = old.walk_in AND citizenship = old.citizenship
      AND sex = old.sex AND age_band = old.age_band AND n = 0;
    UPDATE desk_month_masks SET n = n - 1, mediated = mediated - old.mediator,
        minutes = minutes - old.minutes
    WHERE month = old.day / 100 AND walk_in = old.walk_in AND services = old.services
      AND motivo = old.motivo AND sex = iif(old.walk_in, old.sex, '');
    DELETE FROM desk_month_masks
    WHERE month = old.day / 100 AND walk_in = old.walk_in AND services = old.services
      AND motivo = old.motivo AND sex = iif(old.walk_in, old.sex, '') AND n = 0;
    UPDATE desk_month_operators SET n = n - 1, minutes = minutes - old.minutes
    WHERE month = old.day / 100 AND operator = old.operator;
    DELETE FROM desk_month_operators WHERE month = old.day / 100 AND operator = old.operator AND n = 0;
    INSERT INTO desk_month_cells
    SELECT new.day / 100, new.walk_in, new.citizenship, new.sex, new.age_band, b, 1 FROM desk_bits
    WHERE b < 0 OR (new.services >> b) & 1
    ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO desk_month_masks VALUES (new.day / 100, new.walk_in, new.services, new.motivo,
        iif(new.walk_in, new.sex, ''), 1, new.mediator, new.minutes)
    ON CONFLICT DO UPDATE SET n = n + 1, mediated = mediated + excluded.mediated,
        minutes = minutes + excluded.minutes;
    INSERT INTO desk_month_operators VALUES (new.day / 100, new.operator, 1, new.minutes)
    ON CONFLICT DO UPDATE SET n = n + 1, minutes = minutes + excluded.minutes;
    DELETE FROM desk_person_months
    WHERE (month = old.day / 100 AND person = old.person)
       OR (month = new.day / 100 AND person = new.person);
    INSERT INTO desk_person_months
    SELECT day / 100, person, citizenship, sex, age_band, motivo, first_day, services
    FROM desk_contacts
    WHERE walk_in = 0
      AND ((person = old.person AND day BETWEEN old.day / 100 * 100 AND old.day / 100 * 100 + 99)
        OR (person = new.person AND day BETWEEN new.day / 100 * 100 AND new.day / 100 * 100 + 99))
    ON CONFLICT DO UPDATE SET services = services | excluded.services,
        first_day = min(first_day, excluded.first_day);
END;
