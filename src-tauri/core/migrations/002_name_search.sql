-- 002: search by any part of a name. `name_key` is the folded "surname given names" (computed in Rust by
-- text::fold, filled for existing rows by this migration's hook); the FTS5 trigram index over it finds
-- any fragment of three letters or more, the B-tree index serves shorter prefixes and duplicate checks.

ALTER TABLE persons ADD COLUMN name_key TEXT NOT NULL DEFAULT '';

CREATE INDEX persons_name_key ON persons (name_key, birth_date);

CREATE VIRTUAL TABLE person_names USING fts5 (
    name_key,
    content = 'persons',
    content_rowid = 'id',
    tokenize = 'trigram',
    detail = 'none'
);

CREATE TRIGGER persons_names_insert AFTER INSERT ON persons
BEGIN
    INSERT INTO person_names (rowid, name_key) VALUES (new.id, new.name_key);
END;

CREATE TRIGGER persons_names_delete AFTER DELETE ON persons
BEGIN
    INSERT INTO person_names (person_names, rowid, name_key) VALUES ('delete', old.id, old.name_key);
END;

-- No UPDATE trigger: people are replaced (DELETE + INSERT) when a case is edited, never updated in place,
-- and the migration hook fills name_key for old rows before rebuilding the index in one go.
