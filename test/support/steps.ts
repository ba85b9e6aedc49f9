import { expect } from 'vitest';

/** A request through the API as a demo role, as the integration tests make them. */
export type Post = (
  role: string,
  url: string,
  payload: object,
) => Promise<{ statusCode: number; body: string }>;

/** The manager signs moderation off (done), after which the draft report may be issued. */
export async function signOffModeration(post: Post, inspectionId: string) {
  const signedOff = await post('manager', `/api/inspections/${inspectionId}/moderation`, { outcome: 'done' });
  expect(signedOff.statusCode, signedOff.body).toBe(200);
}

/** The manager completes the inspection, which its report's publication waits for. */
export async function completeInspection(post: Post, inspectionId: string) {
  const completed = await post('manager', `/api/inspections/${inspectionId}/status`, { status: 'completed' });
  expect(completed.statusCode, completed.body).toBe(200);
}
