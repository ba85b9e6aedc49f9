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
  /** Null until an invited person chooses one, and for someone who only signs in through their organisation. */
  password_hash: string | null;
  roles: string[];
  active: Generated<boolean>;
  created_at: Instant;
  version: Generated<number>;
  provider_admin: Generated<boolean>;
  last_signed_in_at: Instant | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  totp_secret: string | null;
  totp_enabled_at: Instant | null;
  totp_last_step: number | null;
}

export interface AccountTokensTable {
  token_hash: string;
  person_id: string;
  purpose: 'invitation' | 'password-reset';
  created_at: Instant;
  expires_at: Instant;
  used_at: Instant | null;
}

export interface RecoveryCodesTable {
  person_id: string;
  code_hash: string;
  used_at: Instant | null;
}

export interface PersonProvidersTable {
  person_id: string;
  provider_id: string;
}

export interface SessionsTable {
  token_hash: string;
  person_id: string;
  kind: 'browser' | 'api' | 'second-factor';
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
  /**
   * The day it closed or its registration was cancelled (which, the status says); null while registered
   * or suspended. Filled in by the database for a writer that gives none (migration 0023).
   */
  left_register_on: Generated<IsoDate | null>;
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
  /** The link in the audit trail's hash chain (src/audit/chain.ts); null until the entry is chained. */
  hash: string | null;
  /** The entry's place in the chain, set with its hash; entries commit, and are chained, out of id order. */
  chain_seq: number | null;
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
  /**
   * For an additional visit, the type and first day of the inspection declared incomplete that it
   * completes (the first of a chain), set by the database as the visit is written (migration 0025); the
   * outcome figures count the visit under them. Null for any other inspection.
   */
  original_type: Generated<string | null>;
  original_start_date: Generated<IsoDate | null>;
  /**
   * The overall grade (after limiting judgements, latest version of each judgement, moderation
   * included), or null until one can be reached; kept by the inspection store, read by the plan.
   */
  overall_grade: Generated<string | null>;
  /** The overall grade as the lead inspector gave it, before any moderation; kept beside the one above. */
  inspector_overall_grade: Generated<string | null>;
  /** When a manager signed moderation off (done, or waived with the reason below); the draft waits for it. */
  moderation_signed_off_at: Generated<Date | null>;
  moderation_signed_off_by: Generated<string | null>;
  moderation_waiver: Generated<string | null>;
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
  /** A provider's concern the lead could not resolve, passed to a manager (0024). */
  escalated_at: Date | null;
  escalated_by: string | null;
  escalation_reason: string | null;
  resolved_by: string | null;
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

export interface ReportsTable {
  id: Generated<string>;
  inspection_id: string;
  procedure_id: string;
  status: Generated<'draft' | 'final' | 'published' | 'withdrawn'>;
  draft_issued_on: IsoDate | null;
  response_due: IsoDate | null;
  finalised_on: IsoDate | null;
  published_on: IsoDate | null;
  /** The day the report was withdrawn because its inspection was declared incomplete. */
  withdrawn_on: Generated<IsoDate | null>;
  presumed_accurate: Generated<boolean>;
  created_at: Instant;
  updated_at: Instant;
  version: Generated<number>;
  /** The current version's searchable fields, written with each version, for the public search. */
  provider_name: Generated<string | null>;
  provider_urn: Generated<string | null>;
  provider_type: Generated<string | null>;
  local_authority: Generated<string | null>;
  overall_grade: Generated<string | null>;
}

export interface ReportVersionsTable {
  report_id: string;
  version: number;
  narrative: string;
  content: Json;
  change_note: string | null;
  changed_by: string | null;
  changed_at: Instant;
}

export interface DraftResponsesTable {
  id: Generated<string>;
  report_id: string;
  route: string;
  submitted_by: string;
  submitted_at: Instant;
}

export interface AccuracyPointsTable {
  id: Generated<string>;
  response_id: string;
  position: number;
  passage: string;
  comment: string;
  decision: 'accepted' | 'rejected' | null;
  reason: string | null;
  decided_by: string | null;
  decided_at: Date | null;
}

export interface DayAfterContactsTable {
  id: Generated<string>;
  inspection_id: string;
  issues: string;
  raised_by: string;
  raised_at: Instant;
  assigned_to: string;
  consulted_lead: Generated<boolean>;
  outcome: string | null;
  outcome_at: Date | null;
}

export interface ComplaintsTable {
  id: Generated<string>;
  reference: string;
  inspection_id: string;
  procedure_id: string;
  channel: 'portal' | 'phone' | 'email' | 'draft-response';
  complainant_name: string;
  complainant_email: string | null;
  summary: string;
  status: Generated<string>;
  received_on: IsoDate;
  acknowledged_at: Date | null;
  outcome: string | null;
  outcome_reasons: string | null;
  remedies: ColumnType<string[], string[] | undefined, string[]>;
  closed_at: Date | null;
  internal_review_requested_at: Date | null;
  internal_review_outcome: string | null;
  internal_review_at: Date | null;
  internal_review_grounds: string | null;
  internal_review_reasons: string | null;
  escalated_at: Date | null;
  escalation_grounds: string | null;
  adjudicator_ruling: string | null;
  adjudicator_reasons: string | null;
  adjudicator_ruled_at: Date | null;
  raised_by: string | null;
  handler_id: string | null;
  reinspection_id: string | null;
  /** The last day to complain in time, as it stood on receipt; null when no limit had started (0024). */
  time_limit: IsoDate | null;
  late: Generated<boolean>;
  late_decision: 'accepted' | 'not-accepted' | null;
  late_reasons: string | null;
  late_decided_at: Date | null;
  late_decided_by: string | null;
  created_at: Instant;
  updated_at: Instant;
  version: Generated<number>;
}

export interface ComplaintNotesTable {
  id: Generated<string>;
  complaint_id: string;
  note: string;
  written_by: string;
  written_at: Instant;
}

export interface ComplaintReviewsTable {
  id: Generated<string>;
  period_from: IsoDate;
  period_to: IsoDate;
  seed: string;
  sample_size: number;
  complaint_ids: string[];
  findings: ColumnType<unknown, string | undefined, string>;
  reviewer_id: string;
  created_at: Instant;
}

export interface DeadlinesTable {
  id: Generated<string>;
  kind: string;
  subject_id: string;
  due_at: Instant;
  status: Generated<'pending' | 'done' | 'cancelled'>;
  attempts: Generated<number>;
  last_error: string | null;
  locked_until: Date | null;
  done_at: Date | null;
  created_at: Instant;
}

export interface OutboxTable {
  id: Generated<string>;
  recipient: string;
  template: string;
  subject: string;
  body: string;
  personalisation: ColumnType<unknown, string | undefined, string>;
  created_at: Instant;
  sent_at: Date | null;
  delivery: Generated<'outbox' | 'notify'>;
  last_error: string | null;
}

export interface ConcernsTable {
  id: Generated<string>;
  reference: string;
  provider_id: string | null;
  provider_description: string;
  channel: 'public-form' | 'phone' | 'email' | 'notification';
  summary: string;
  raiser_name: string | null;
  raiser_email: string | null;
  raiser_relationship: string | null;
  received_at: Instant;
  status: Generated<'new' | 'decided'>;
  risk_level: 'low' | 'medium' | 'high' | 'immediate' | null;
  decision: 'inspect-now' | 'bring-forward' | 'monitor' | 'no-action' | null;
  decision_reasons: string | null;
  bring_forward_to: IsoDate | null;
  decided_by: string | null;
  decided_at: Date | null;
  notification_id: string | null;
  raised_by: string | null;
  created_at: Instant;
  updated_at: Instant;
  version: Generated<number>;
}

export interface EventNotificationsTable {
  id: Generated<string>;
  reference: string;
  provider_id: string;
  category_id: string;
  event_date: IsoDate;
  what_happened: string;
  actions_taken: string;
  told: ColumnType<string[], string[] | undefined, string[]>;
  told_other: string | null;
  submitted_by: string;
  submitted_at: Instant;
  status: Generated<'submitted' | 'reviewed'>;
  review_outcome: 'no-further-action' | 'concern-raised' | 'inspection-brought-forward' | null;
  review_notes: string | null;
  bring_forward_to: IsoDate | null;
  concern_id: string | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  version: Generated<number>;
}

export interface ProviderChangesTable {
  id: Generated<string>;
  provider_id: string;
  kind: 'manager-changed' | 'owner-changed';
  occurred_on: IsoDate;
  note: string | null;
  recorded_by: string | null;
  recorded_at: Instant;
}

export interface AuthoritySamplesTable {
  id: Generated<string>;
  year_starting: IsoDate;
  seed: string;
  size: number;
  authorities: ColumnType<unknown, string, string>;
  drawn_by: string | null;
  drawn_at: Instant;
}

/**
 * What the plan needs of one provider's inspections (migration 0005), kept by a trigger on inspections in
 * the transaction that changes them; `rebuildProviderSchedule` in src/planning/schedule-store.ts works every row out
 * again after a bulk load that skipped triggers.
 */
export interface ProviderScheduleTable {
  provider_id: string;
  /** The last completed inspection with an overall grade, by end date. */
  last_inspection_id: string | null;
  last_framework_id: string | null;
  last_end_date: IsoDate | null;
  last_grade_id: string | null;
  /** The graded inspection before it. */
  previous_framework_id: string | null;
  previous_grade_id: string | null;
  /** The last completed monitoring visit. */
  last_monitoring_end_date: IsoDate | null;
  /** A full inspection or additional visit planned, on site or with feedback given. */
  open_full: Generated<boolean>;
  /** A monitoring visit planned, on site or with feedback given. */
  open_monitoring: Generated<boolean>;
  // What the plan needs that does not depend on the day it is asked (migration 0010), under the rules in
  // plan_intervals and plan_first_inspection; kept by the triggers, read with SQL in src/planning/store.ts.
  /**
   * The compliance dates of the last graded inspection's requirements, earliest first. The drivers read a
   * date array differently: strings on the embedded database, Date objects from a server.
   */
  requirement_dates: Generated<Array<IsoDate | Date>>;
  first_comply_by: IsoDate | null;
  /** The interval in months for the last grade. */
  last_months: number | null;
  grade_dropped: Generated<boolean>;
  /** The next full inspection's due date; null for a provider that is not registered. */
  due: IsoDate | null;
  monitoring_due: IsoDate | null;
  /** The day from which risk signals count. */
  signals_since: IsoDate | null;
}

export interface Schema {
  people: PeopleTable;
  person_providers: PersonProvidersTable;
  sessions: SessionsTable;
  account_tokens: AccountTokensTable;
  recovery_codes: RecoveryCodesTable;
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
  reports: ReportsTable;
  report_versions: ReportVersionsTable;
  draft_responses: DraftResponsesTable;
  accuracy_points: AccuracyPointsTable;
  day_after_contacts: DayAfterContactsTable;
  complaints: ComplaintsTable;
  complaint_notes: ComplaintNotesTable;
  complaint_reviews: ComplaintReviewsTable;
  deadlines: DeadlinesTable;
  outbox: OutboxTable;
  concerns: ConcernsTable;
  event_notifications: EventNotificationsTable;
  provider_changes: ProviderChangesTable;
  authority_samples: AuthoritySamplesTable;
  provider_schedule: ProviderScheduleTable;
}

// Imports of the regulator's published data (migration 0008). Declared as an addition to Schema, which
// TypeScript merges with the interface above.

export interface ProviderImportsTable {
  id: Generated<string>;
  file_name: string;
  sha256: string;
  status: 'running' | 'completed' | 'aborted' | 'failed';
  strict: Generated<boolean>;
  rows_read: Generated<number>;
  inserted: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  rejected: Generated<number>;
  outcomes_recorded: Generated<number>;
  ignored_columns: ColumnType<string[], string[] | undefined, string[]>;
  note: string | null;
  imported_by: string;
  started_at: Instant;
  finished_at: Instant | null;
}

export interface PublishedInspectionOutcomesTable {
  provider_id: string;
  inspection_date: IsoDate;
  framework_id: string | null;
  overall_grade_id: string | null;
  source_import_id: string;
}

export interface Schema {
  provider_imports: ProviderImportsTable;
  published_inspection_outcomes: PublishedInspectionOutcomesTable;
}

// Summaries of the statistics, kept by triggers (migration 0018); read with SQL in src/statistics/store.ts.

export interface StatisticsNotificationDaysTable {
  event_date: IsoDate;
  category_id: string;
  notifications: number;
}

export interface StatisticsNotificationSendersTable {
  /** '*' for any category. */
  category_id: string;
  provider_id: string;
  /** The days it sent one on, as a datemultirange in its text form. */
  days: string;
}

export interface StatisticsInspectionMonthsTable {
  month: IsoDate;
  framework_id: string;
  lead_inspector_id: string;
  inspections: number;
  incomplete: number;
}

export interface StatisticsGradeMonthsTable {
  month: IsoDate;
  framework_id: string;
  lead_inspector_id: string;
  grade_id: string;
  provider_type: string;
  region: string;
  inspections: number;
}

export interface StatisticsFullInspectionMonthsTable {
  month: IsoDate;
  framework_id: string;
  inspections: number;
  with_requirements: number;
}

export interface StatisticsRequirementMonthsTable {
  month: IsoDate;
  regulation_id: string;
  requirements: number;
  inspections: number;
}

export interface StatisticsModerationMonthsTable {
  month: IsoDate;
  framework_id: string;
  region: string;
  lead_inspector_id: string;
  inspections: number;
  moderated: number;
  /** Judgement versions of kind 'moderation' (each changed an area's grade). */
  moderations: number;
  /** Moderated inspections whose final overall grade is not the one given. */
  overall_changed: number;
}

/** Each provider's first full inspection that was not declared incomplete; all null once it has none. */
export interface StatisticsFirstInspectionsTable {
  provider_id: string;
  inspection_id: string | null;
  framework_id: string | null;
  status: string | null;
  start_date: IsoDate | null;
  overall_grade: string | null;
}

export interface Schema {
  statistics_moderation_months: StatisticsModerationMonthsTable;
  statistics_first_inspections: StatisticsFirstInspectionsTable;
  statistics_notification_days: StatisticsNotificationDaysTable;
  statistics_notification_senders: StatisticsNotificationSendersTable;
  statistics_inspection_months: StatisticsInspectionMonthsTable;
  statistics_grade_months: StatisticsGradeMonthsTable;
  statistics_full_inspection_months: StatisticsFullInspectionMonthsTable;
  statistics_requirement_months: StatisticsRequirementMonthsTable;
}
