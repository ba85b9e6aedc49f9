import type { Migration } from '../migration.js';

/**
 * The provider search matches its text anywhere in the name, URN, town, postcode or local authority
 * (`ilike '%…%'`), which no ordinary index serves: every search read the whole register. Where the
 * server has pg_trgm (made available by 0012), each of those columns gets a trigram index, and a search
 * becomes an OR of index scans. Without pg_trgm (the embedded database) the search works as before.
 */
const providerSearchIndex: Migration = {
  up: [
    `do $$
     declare
       trgm_schema text;
       col text;
     begin
       select n.nspname into trgm_schema
       from pg_extension e join pg_namespace n on n.oid = e.extnamespace
       where e.extname = 'pg_trgm';
       if trgm_schema is not null then
         foreach col in array array['name', 'urn', 'town', 'postcode', 'local_authority'] loop
           execute format('create index %I on providers using gin (%I %I.gin_trgm_ops)',
             'providers_search_' || col, col, trgm_schema);
         end loop;
       end if;
     end $$`,
  ],
};

export default providerSearchIndex;
