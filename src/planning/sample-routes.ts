import type { FastifyInstance } from 'fastify';

export async function authoritySampleRoutes(_app: FastifyInstance) {}
