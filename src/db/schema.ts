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

export interface ConflictsOfInterestTable {
  id: Generated<string>;
  person_id: string;
  provider_id: string;
  description: string;
  declared_by: string;
  declared_at: Instant;
}

export interface InspectionsTable {
  id: Generated<string>;
  provider_id: string;
  framework_id: string;
  type: string;
  notice: string;
  start_date: IsoDate;
  end_date: IsoDate;
  lead_inspector_id: string;
  status: Generated<string>;
  flaw_condition: string | null;
  flaw_reasons: string | null;
  additional_visit_of: string | null;
  created_by: string | null;
  created_at: Instant;
  updated_at: Instant;
  version: Generated<number>;
}

export interface InspectionTeamTable {
  inspection_id: string;
  person_id: string;
}

export interface LinesOfEnquiryTable {
  id: Generated<string>;
  inspection_id: string;
  title: string;
  area_id: string | null;
  opened_by: string;
  opened_at: Instant;
  closed_by: string | null;
  closed_at: Date | null;
  conclusion: string | null;
  closing_evidence_ids: ColumnType<string[], string[] | undefined, string[]>;
}

export interface EvidenceTable {
  row_id: Generated<number>;
  id: string;
  version: number;
  inspection_id: string;
  source: string;
  summary: string;
  child_reference: string | null;
  line_of_enquiry_id: string | null;
  correction_reason: string | null;
  recorded_by: string;
  recorded_at: Instant;
}

export interface DialogueEntriesTable {
  id: Generated<string>;
  inspection_id: string;
  kind: string;
  summary: string;
  resolution: string | null;
  resolved_at: Date | null;
  snapshot: Json;
  recorded_by: string;
  recorded_at: Instant;
}

export interface JudgementsTable {
  row_id: Generated<number>;
  inspection_id: string;
  area_id: string;
  version: number;
  grade_id: string;
  rationale: string;
  evidence_ids: string[];
  kind: 'inspector' | 'moderation';
  reason: string | null;
  given_by: string;
  given_at: Instant;
}

export interface RequirementsTable {
  id: Generated<string>;
  inspection_id: string;
  regulation_id: string;
  action: string;
  impact: string;
  evidence_ids: string[];
  comply_by: IsoDate;
  recorded_by: string;
  recorded_at: Instant;
}

export interface RecommendationsTable {
  id: Generated<string>;
  inspection_id: string;
  guide_id: string;
  page: number;
  paragraph: string;
  text: string;
  recorded_by: string;
  recorded_at: Instant;
}

export interface ErrorsPutRightTable {
  id: Generated<string>;
  inspection_id: string;
  description: string;
  recorded_by: string;
  recorded_at: Instant;
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
  conflicts_of_interest: ConflictsOfInterestTable;
  inspections: InspectionsTable;
  inspection_team: InspectionTeamTable;
  lines_of_enquiry: LinesOfEnquiryTable;
  evidence: EvidenceTable;
  dialogue_entries: DialogueEntriesTable;
  judgements: JudgementsTable;
  requirements: RequirementsTable;
  recommendations: RecommendationsTable;
  errors_put_right: ErrorsPutRightTable;
}
