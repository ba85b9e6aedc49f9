import type { Migration } from '../migration.js';

/**
 * The register keeps the day each provider left it: the day it closed or its registration was cancelled
 * (`left_register_on`, null while it is registered or suspended). "On the register on a date" is then
 * registered on or before it and not gone by it, right for past dates as well as today.
 *
 * For providers already closed or cancelled, the day is taken from the audit trail: the latest change
 * that gave the provider its present status (the day in England); failing that, the day the provider was
 * last changed (`updated_at`), the only other record of it. Never before the day it was registered.
 *
 * The API and pages write the day (today by the service's clock unless one is given). For any other
 * writer (the import, a script), a trigger fills it in: the database's today for a provider that leaves
 * the register; for one written as closed or cancelled with no day, the day it was registered, since
 * nothing says when it went (so, as before, it is on no past count). Returning to the register clears it.
 */
const registerLeavingDates: Migration = {
  up: [
    `alter table providers add column left_register_on date`,
    `update providers p set left_register_on = greatest(p.registered_on, coalesce(
       (select max((a.at at time zone 'Europe/London')::date) from audit_events a
        where a.entity_type = 'provider' and a.entity_id = p.id::text
          and a.after ->> 'status' = p.status
          and (a.before is null or a.before ->> 'status' is distinct from p.status)),
       (p.updated_at at time zone 'Europe/London')::date))
     where p.status in ('closed', 'cancelled')`,
    `create function providers_left_register() returns trigger language plpgsql as $$
     begin
       if new.status not in ('closed', 'cancelled') then
         new.left_register_on := null;
       elsif new.left_register_on is null then
         new.left_register_on := case when tg_op = 'INSERT' then new.registered_on
           else greatest(new.registered_on, current_date) end;
       end if;
       return new;
     end $$`,
    `create trigger providers_left_register before insert or update of status, left_register_on on providers
       for each row execute function providers_left_register()`,
    `alter table providers add constraint providers_left_register_on
       check ((left_register_on is not null) = (status in ('closed', 'cancelled'))
         and left_register_on >= registered_on)`,
    // The register figures count from this index alone (0006): the day a provider left goes with it.
    `drop index providers_register`,
    `create index providers_register on providers (type, registered_on)
       include (sector, status, owner_group_id, places, left_register_on)`,
  ],
};

export default registerLeavingDates;
