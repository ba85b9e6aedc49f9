import type { Migration } from '../migration.js';

/**
 * The notification list is read newest event first, then latest sent, then by id; a keyset page starts
 * from the last row's key, which needs an index in exactly that order to begin at the right place
 * instead of sorting every notification. The other keyset lists already have theirs: providers_name,
 * inspections_start and reports_published_newest.
 */
const keysetPaging: Migration = {
  up: [
    `create index event_notifications_newest on event_notifications (event_date desc, submitted_at desc, id)`,
  ],
};

export default keysetPaging;
