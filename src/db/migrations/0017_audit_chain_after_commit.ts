import type { Migration } from '../migration.js';

/**
 * Audit entries are chained after their transaction commits, by one chainer at a time, instead of under a
 * lock held by every audited write until it commits (src/audit/store.ts). Entries commit out of id order,
 * so the chain has an order of its own: `chain_seq`, set together with the hash when an entry is chained.
 * An entry without them is waiting to be chained. Entries chained before this migration were chained in id
 * order, so that is their chain order; their hashes do not change.
 */
const auditChainAfterCommit: Migration = {
  up: [
    `alter table audit_events add column chain_seq bigint`,
    // The guard would refuse this one-off numbering of entries already chained.
    `alter table audit_events disable trigger audit_events_append_only`,
    `update audit_events a set chain_seq = c.seq
       from (select id, row_number() over (order by id) as seq from audit_events where hash is not null) c
       where a.id = c.id`,
    `alter table audit_events enable trigger audit_events_append_only`,
    `alter table audit_events add constraint audit_events_chained_whole
       check ((hash is null) = (chain_seq is null))`,
    // Unique: a second chainer could never fork the chain, only fail.
    `create unique index audit_events_chain_seq on audit_events (chain_seq)`,
    `create index audit_events_waiting on audit_events (id) where chain_seq is null`,
    // An entry may be changed once, only to be chained: its hash and place in the chain set, nothing else.
    `create or replace function audit_events_append_only() returns trigger language plpgsql as $$
     begin
       if tg_op = 'UPDATE' and old.hash is null and old.chain_seq is null
          and new.hash is not null and new.chain_seq is not null
          and (new.id, new.at, new.actor_id, new.action, new.entity_type, new.entity_id, new.before, new.after)
              is not distinct from
              (old.id, old.at, old.actor_id, old.action, old.entity_type, old.entity_id, old.before, old.after)
       then
         return new;
       end if;
       raise exception 'audit entries cannot be changed or deleted' using errcode = 'insufficient_privilege';
     end $$`,
  ],
};

export default auditChainAfterCommit;
