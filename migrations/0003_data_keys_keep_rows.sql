-- A data key row is the lasting record that a group's data existed and when it was shredded. It may
-- only be re-wrapped (KEK rotation) while live, or shredded once; it is never deleted or revived.
CREATE FUNCTION data_keys_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'data_keys rows are kept: % is not allowed (shred the key instead)', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.group_type IS DISTINCT FROM OLD.group_type
     OR NEW.group_id IS DISTINCT FROM OLD.group_id OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    RAISE EXCEPTION 'data_keys: id, group and created_at never change'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.shredded_at IS NOT NULL THEN
    RAISE EXCEPTION 'data_keys: key % is shredded and cannot change', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER data_keys_guard_update_delete
  BEFORE UPDATE OR DELETE ON data_keys
  FOR EACH ROW EXECUTE FUNCTION data_keys_guard();
--> statement-breakpoint
CREATE TRIGGER data_keys_guard_truncate
  BEFORE TRUNCATE ON data_keys
  FOR EACH STATEMENT EXECUTE FUNCTION data_keys_guard();
