import type { Migration } from '../migration.js';

/**
 * A tamper-evident audit trail, and records that can only be corrected by new versions. Each audit entry
 * carries a hash chained to the one before it (written by the application, see src/audit/chain.ts). The
 * database itself refuses to change or delete an audit entry once its hash is set, and refuses to change
 * or delete evidence, judgements or report versions: a correction is a new version.
 */
const auditChain: Migration = {
  up: [
    `alter table audit_events add column hash text`,
    `create function audit_events_append_only() returns trigger language plpgsql as $$
     begin
       if tg_op = 'UPDATE' and old.hash is null and new.hash is not null
          and (new.id, new.at, new.actor_id, new.action, new.entity_type, new.entity_id, new.before, new.after)
              is not distinct from
              (old.id, old.at, old.actor_id, old.action, old.entity_type, old.entity_id, old.before, old.after)
       then
         return new;
       end if;
       raise exception 'audit entries cannot be changed or deleted' using errcode = 'insufficient_privilege';
     end $$`,
    `create trigger audit_events_append_only before update or delete on audit_events
       for each row execute function audit_events_append_only()`,
    `create function versions_are_permanent() returns trigger language plpgsql as $$
     begin
       raise exception '% rows are corrected by a new version, never changed or deleted', tg_table_name
         using errcode = 'insufficient_privilege';
     end $$`,
    `create trigger evidence_permanent before update or delete on evidence
       for each row execute function versions_are_permanent()`,
    `create trigger judgements_permanent before update or delete on judgements
       for each row execute function versions_are_permanent()`,
    `create trigger report_versions_permanent before update or delete on report_versions
       for each row execute function versions_are_permanent()`,
  ],
};

export default auditChain;
