// The admin API: a read-only HTTP view of a running mesh (fastify, JSON schemas on every route).
// Built here; the CLI decides where it listens.

export { buildAdmin } from './build-admin.ts'
export { meshSchema, podsSchema } from './schemas.ts'
