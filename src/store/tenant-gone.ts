import { notFound } from '../core/errors.js';

/**
 * Runs a write of a row that names a tenant (a webhook, an API key). The route checked the tenant,
 * but a delete may commit in between: the row's foreign key then refuses it, and the caller is told
 * the tenant does not exist (404) rather than meeting the database's error (500).
 */
export async function writeForTenant<T>(
  tenantId: string,
  isForeignKeyViolation: (error: unknown) => boolean,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isForeignKeyViolation(error)) throw notFound.tenant(tenantId);
    throw error;
  }
}
