-- Row-level security on every table that holds rescue rows with a compartment. A row is visible only in a
-- transaction that bound the caller's compartments (bindSubject) or that runs as the system (jobs).
-- Superusers and table owners with BYPASSRLS skip these policies: run the application as a role that owns
-- nothing (docs/OPERATIONS.md), and the database enforces compartments even if a query forgets to.
CREATE FUNCTION passage_rls_allows(compartment text) RETURNS boolean
  LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('passage.scope', true), '') = 'system'
        OR compartment = ANY (string_to_array(coalesce(current_setting('passage.compartments', true), ''), ','))
  $$;
--> statement-breakpoint
ALTER TABLE rescue_cases ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE rescue_cases FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY rescue_cases_compartment ON rescue_cases USING (passage_rls_allows(compartment_id)) WITH CHECK (passage_rls_allows(compartment_id));
--> statement-breakpoint
ALTER TABLE travellers ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE travellers FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY travellers_compartment ON travellers USING (passage_rls_allows(compartment_id)) WITH CHECK (passage_rls_allows(compartment_id));
--> statement-breakpoint
ALTER TABLE legs ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE legs FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY legs_compartment ON legs USING (passage_rls_allows(compartment_id)) WITH CHECK (passage_rls_allows(compartment_id));
--> statement-breakpoint
ALTER TABLE check_ins ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE check_ins FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY check_ins_compartment ON check_ins USING (passage_rls_allows(compartment_id)) WITH CHECK (passage_rls_allows(compartment_id));
--> statement-breakpoint
ALTER TABLE incidents ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE incidents FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY incidents_compartment ON incidents USING (passage_rls_allows(compartment_id)) WITH CHECK (passage_rls_allows(compartment_id));
--> statement-breakpoint
ALTER TABLE incident_notes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE incident_notes FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY incident_notes_compartment ON incident_notes USING (passage_rls_allows(compartment_id)) WITH CHECK (passage_rls_allows(compartment_id));
--> statement-breakpoint
ALTER TABLE case_costs ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE case_costs FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY case_costs_compartment ON case_costs USING (passage_rls_allows(compartment_id)) WITH CHECK (passage_rls_allows(compartment_id));
--> statement-breakpoint
ALTER TABLE case_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE case_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY case_events_compartment ON case_events USING (passage_rls_allows(compartment_id)) WITH CHECK (passage_rls_allows(compartment_id));
--> statement-breakpoint
ALTER TABLE rescue_alerts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE rescue_alerts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY rescue_alerts_compartment ON rescue_alerts USING (passage_rls_allows(compartment_id)) WITH CHECK (passage_rls_allows(compartment_id));
