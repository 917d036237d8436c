-- GetForShare in one round trip (internal/db/sharelock.go): take the document's advisory
-- lock in shared mode, then read its body. The function is VOLATILE, so its SELECT takes a
-- fresh snapshot after the lock is granted and sees what a writer that held the lock
-- exclusively committed; NULL when there is no such document.
CREATE OR REPLACE FUNCTION midonet_get_shared(doc_kind TEXT, doc_id TEXT) RETURNS TEXT
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(7015, hashtext(doc_kind || '/' || doc_id));
    RETURN (SELECT body FROM resources WHERE kind = doc_kind AND id = doc_id);
END
$$;
