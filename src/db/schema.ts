import type { ColumnType, Generated } from 'kysely';

/** Instants are stored as timestamptz and read as Date; written as Date or ISO string. */
type Instant = ColumnType<Date, Date | string | undefined, Date | string>;
/** Dates without time are ISO strings (YYYY-MM-DD) in both directions. */
type IsoDate = string;
type Json = ColumnType<unknown, string | null, string | null>;

export interface PeopleTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string;
  roles: string[];
  active: Generated<boolean>;
  created_at: Instant;
}

export interface PersonProvidersTable {
  person_id: string;
  provider_id: string;
}

export interface SessionsTable {
  token_hash: string;
  person_id: string;
  kind: 'browser' | 'api';
  created_at: Instant;
  expires_at: Instant;
}

export interface OwnerGroupsTable {
  id: Generated<string>;
  name: string;
  created_at: Instant;
}

export interface ProvidersTable {
  id: Generated<string>;
  urn: string;
  name: string;
  type: string;
  sector: string;
  address_line1: string;
  address_line2: string | null;
  town: string;
  postcode: string;
  local_authority: string;
  region: string;
  places: number;
  status: string;
  owner_group_id: string | null;
  registered_on: IsoDate;
  created_at: Instant;
  updated_at: Instant;
  version: Generated<number>;
}

export interface RegistrationApplicationsTable {
  id: Generated<string>;
  provider_id: string;
  buildings: number;
  description: string;
  status: string;
  submitted_on: IsoDate;
  created_at: Instant;
  updated_at: Instant;
  version: Generated<number>;
}

export interface RegistrationApplicationEventsTable {
  id: Generated<number>;
  application_id: string;
  status: string;
  note: string | null;
  actor_id: string | null;
  at: Instant;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: Instant;
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  before: Json;
  after: Json;
}

export interface Schema {
  people: PeopleTable;
  person_providers: PersonProvidersTable;
  sessions: SessionsTable;
  owner_groups: OwnerGroupsTable;
  providers: ProvidersTable;
  registration_applications: RegistrationApplicationsTable;
  registration_application_events: RegistrationApplicationEventsTable;
  audit_events: AuditEventsTable;
}
