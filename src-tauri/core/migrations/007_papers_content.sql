-- 007: which content pack a paper was printed from (issue 13 §5). Laws change and the Comune installs a
-- corrected catalogue without a new build, so a paper kept with a case must say which procedures, fees
-- and texts it was made from: the content's version ('2026.1'), as its footer prints it. Papers filed
-- before this migration, and those an import brought from another desk, have none (NULL: unknown, or
-- the content built into the version that printed them).
ALTER TABLE papers ADD COLUMN content_version TEXT;
