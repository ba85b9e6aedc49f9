import type { Migration } from '../migration.js';

/**
 * Indexes for the statistics: each figure reads a period of one table by date, so the date leads the
 * index and the columns the figure groups by follow, letting the database count from the index alone.
 */
const statistics: Migration = {
  up: [
    // A provider's first full inspection, and whether an earlier one exists.
    `create index inspections_full_by_provider on inspections (provider_id, start_date, id)
       where type = 'full' and status <> 'incomplete'`,
    `create index inspections_period on inspections (start_date, type, status)
       include (provider_id, framework_id, lead_inspector_id)`,
    `create index event_notifications_period on event_notifications (event_date, category_id, provider_id)`,
    `create index providers_register on providers (type, registered_on)
       include (sector, status, owner_group_id, places)`,
    `create index registration_applications_submitted on registration_applications (submitted_on, status)`,
    `create index reports_published on reports (published_on, id) where status = 'published'`,
  ],
};

export default statistics;
