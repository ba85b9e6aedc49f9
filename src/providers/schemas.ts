import { z } from 'zod';
import { paginationFields } from '../fields.js';
import { PROVIDER_STATUSES, PROVIDER_TYPES, REGIONS, type ProviderType } from './rules.js';

/** The wire shapes of the register, for validation, responses and the OpenAPI document. */

export const providerSchema = z.object({
  id: z.uuid(),
  urn: z.string(),
  name: z.string(),
  type: z.string(),
  sector: z.string(),
  addressLine1: z.string(),
  addressLine2: z.string().nullable(),
  town: z.string(),
  postcode: z.string(),
  localAuthority: z.string(),
  region: z.string(),
  places: z.number().int(),
  status: z.string(),
  ownerGroup: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  registeredOn: z.string(),
  /** The day it closed or its registration was cancelled; null while registered or suspended. */
  leftRegisterOn: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** A search of the register: the API's query string, and the list page's filters. */
export const listQuery = z.object({
  q: z.string().trim().max(200, 'Search text must be 200 characters or fewer').optional(),
  type: z
    .enum(Object.keys(PROVIDER_TYPES) as [ProviderType], { message: 'Choose a provider type from the list' })
    .optional(),
  region: z.enum(REGIONS, { message: 'Choose a region from the list' }).optional(),
  status: z
    .enum(Object.keys(PROVIDER_STATUSES) as [keyof typeof PROVIDER_STATUSES], {
      message: 'Choose a status from the list',
    })
    .optional(),
  ownerGroupId: z.uuid({ message: 'Owner group must be an id from the list' }).optional(),
  ...paginationFields(),
});

export const applicationSchema = z.object({
  id: z.uuid(),
  providerId: z.uuid(),
  buildings: z.number().int(),
  description: z.string(),
  status: z.string(),
  submittedOn: z.string(),
  version: z.number().int(),
  history: z.array(
    z.object({
      status: z.string(),
      note: z.string().nullable(),
      at: z.string(),
      actor: z.string().nullable(),
    }),
  ),
});

export const ownerGroupSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  providers: z.number().int(),
  places: z.number().int(),
});

export const historySchema = z.array(
  z.object({
    id: z.number().int(),
    at: z.string(),
    action: z.string(),
    actor: z.object({ id: z.string(), name: z.string() }).nullable(),
    changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
  }),
);
