-- 012: the yearly report's largest reads made smaller (register/report.rs; issue 15, "the yearly
-- report over a million contacts within 200 ms"). Never edit once shipped: add a new numbered file.

-- The report counts distinct cases per step kind in a period. With `steps_kind_date` (009) each step of
-- the period cost a visit to its table row for the case: about 10 ms for a year of 12 000 steps in a
-- 10 000-case register. With the case in the index the rows are never visited. It replaces 009's
-- index, whose every use it serves.
CREATE INDEX steps_report ON steps (kind, date, case_id);
DROP INDEX steps_kind_date;

-- The persons' months (010) are the report's largest read: a row per person and month, about 120 000
-- for a year of a 10 000-case desk, each with four text columns. SQLite's decoding and handing out
-- of those columns was most of the report's time. The same rows are kept here with the four facts
-- as one number into `desk_facts` (the few distinct combinations of codes a desk sees: codes only,
-- nothing about a person), by triggers on `desk_person_months`, so they follow every path that
-- rebuilds a person's month (a contact added, corrected, deleted) inside the same statement.
CREATE TABLE desk_facts (
    id INTEGER PRIMARY KEY,
    citizenship TEXT NOT NULL,
    sex TEXT NOT NULL,
    age_band TEXT NOT NULL,
    motivo TEXT NOT NULL,
    UNIQUE (citizenship, sex, age_band, motivo)
) STRICT;

CREATE TABLE desk_person_facts (
    month INTEGER NOT NULL,
    person INTEGER NOT NULL,
    facts INTEGER NOT NULL REFERENCES desk_facts(id),
    first_day INTEGER NOT NULL,
    services INTEGER NOT NULL,
    PRIMARY KEY (month, person, facts)
) STRICT, WITHOUT ROWID;

INSERT INTO desk_facts (citizenship, sex, age_band, motivo)
SELECT DISTINCT citizenship, sex, age_band, motivo FROM desk_person_months;

INSERT INTO desk_person_facts
SELECT p.month, p.person, f.id, p.first_day, p.services
FROM desk_person_months p JOIN desk_facts f USING (citizenship, sex, age_band, motivo);

CREATE TRIGGER desk_person_months_facts_insert AFTER INSERT ON desk_person_months BEGIN
    INSERT INTO desk_facts (citizenship, sex, age_band, motivo)
    VALUES (new.citizenship, new.sex, new.age_band, new.motivo)
    ON CONFLICT DO NOTHING;
    INSERT INTO desk_person_facts
    SELECT new.month, new.person, id, new.first_day, new.services FROM desk_facts
    WHERE citizenship = new.citizenship AND sex = new.sex AND age_band = new.age_band
      AND motivo = new.motivo;
END;

-- A person's month is rebuilt (deleted and inserted again, 010), never re-keyed: refused, so the
-- numbers below cannot lose track of a row.
CREATE TRIGGER desk_person_months_no_rekey
BEFORE UPDATE OF month, person, citizenship, sex, age_band, motivo ON desk_person_months BEGIN
    SELECT RAISE(ABORT, 'a person''s month is rebuilt, not re-keyed');
END;

-- The upsert that ORs a contact's services into its person's month (nearly every new contact).
CREATE TRIGGER desk_person_months_facts_services AFTER UPDATE OF services, first_day
ON desk_person_months BEGIN
    UPDATE desk_person_facts SET services = new.services, first_day = new.first_day
    WHERE month = new.month AND person = new.person
      AND facts = (SELECT id FROM desk_facts WHERE citizenship = new.citizenship AND sex = new.sex
                   AND age_band = new.age_band AND motivo = new.motivo);
END;

CREATE TRIGGER desk_person_months_facts_delete AFTER DELETE ON desk_person_months BEGIN
    DELETE FROM desk_person_facts
    WHERE month = old.month AND person = old.person
      AND facts = (SELECT id FROM desk_facts WHERE citizenship = old.citizenship AND sex = old.sex
                   AND age_band = old.age_band AND motivo = old.motivo);
END;
