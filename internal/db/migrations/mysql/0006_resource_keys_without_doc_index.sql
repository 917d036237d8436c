-- The key index no longer keeps a second index by document (kind, id): a write finds the
-- rows to remove from the document it replaces or deletes, whose keys are a function of
-- its body (internal/db/keys.go), and removes them by primary key.
ALTER TABLE resource_keys DROP INDEX resource_keys_doc;
