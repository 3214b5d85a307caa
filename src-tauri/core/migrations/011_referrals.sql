-- 011: the partner network and the referrals to it (register/partners.rs, register/referrals.rs; issue 16).
-- Never edit once shipped: add a new numbered file. Depends on 009 and earlier only (010 is another
-- area's). The starter directory (assets/reference/partners.toml) is written into `partners` by this
-- migration's hook, once: from then on the rows are the desk's, edited by its responsabile.

-- A partner of the network. `uid`: stable across desks (the starter file's id, or a random UUID for one
-- added here), how a partner file matches rows. `needs` and `languages`: codes separated by single
-- spaces. `source`/`read_on`/`verify`: where the row's facts come from and whether they are confirmed.
-- A partner is never deleted (the trigger refuses it): `retired_on` retires it, so it is proposed no more
-- while every past referral keeps it.
CREATE TABLE partners (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL CHECK (name <> ''),
    needs TEXT NOT NULL CHECK (needs <> ''),
    address TEXT NOT NULL DEFAULT '',
    hours TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    bring TEXT NOT NULL DEFAULT '',
    booking TEXT NOT NULL DEFAULT '',
    directions TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    read_on TEXT NOT NULL DEFAULT '',
    verify INTEGER NOT NULL DEFAULT 1 CHECK (verify IN (0, 1)),
    retired_on TEXT,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TRIGGER partners_no_delete BEFORE DELETE ON partners
BEGIN
    SELECT RAISE(ABORT, 'partners are retired, never deleted');
END;

-- A referral of a case's applicant (`case_id`) or of an anonymous walk-in (`case_id` NULL, `walk_in` 1;
-- no name is kept for a walk-in) to a partner for a need. `reason`: the operator's plain words (free
-- text: retention's notes purpose empties it). `consent`: the applicant agreed to their data being shared
-- with that partner (without it the slip carries the name only). `language`: the slip's language beside
-- the Italian. The follow-up: `state` referred → went → resolved | not_resolved, or referred →
-- did_not_go, each step dated; `state_on` the day of the latest. `operator_id`: who referred.
-- Anonymising the case sets `case_id` NULL and empties `reason`: the counts and outcomes stay.
CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    case_id INTEGER REFERENCES cases(id),
    walk_in INTEGER NOT NULL CHECK (walk_in IN (0, 1)),
    need TEXT NOT NULL,
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    reason TEXT NOT NULL DEFAULT '',
    consent INTEGER NOT NULL CHECK (consent IN (0, 1)),
    language TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('referred', 'went', 'resolved', 'not_resolved', 'did_not_go')),
    referred_on TEXT NOT NULL,
    went_on TEXT,
    closed_on TEXT,
    state_on TEXT NOT NULL,
    operator_id TEXT NOT NULL,
    at TEXT NOT NULL
) STRICT;

CREATE INDEX referrals_case ON referrals (case_id) WHERE case_id IS NOT NULL;
-- The agenda's open referrals, oldest first.
CREATE INDEX referrals_open ON referrals (state_on) WHERE state IN ('referred', 'went');
-- The reports' referrals of a period.
CREATE INDEX referrals_day ON referrals (referred_on, need, state);
CREATE INDEX referrals_partner ON referrals (partner_id);
