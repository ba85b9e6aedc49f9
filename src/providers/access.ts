import type { FastifyRequest } from 'fastify';
import { isUuid } from '../fields.js';
import { authorise } from '../web/access.js';
import { notFound } from '../refusal.js';
import { findProvider, type Provider } from './store.js';

/** Who may see what of the register, shared by the API and the pages. */

/** The provider a person may read, or 404 whether it is missing or hidden from them. */
export async function readableProvider(request: FastifyRequest, id: string): Promise<Provider> {
  authorise(request, 'provider.read', { providerId: id }, 'hide');
  const provider = isUuid(id) ? await findProvider(request.server.db, id) : null;
  if (!provider) throw notFound();
  return provider;
}
