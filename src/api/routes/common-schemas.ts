import { z } from 'zod';
import { API_NAME_RULE, isApiName } from '../../ingest/input-names.js';
import { field } from '../route-schema.js';

// Schemas more than one route file uses.

/** A node or input name as the inputs API and device templates both take it (one rule). */
export const apiName = (what: string, code: string) =>
  field(z.string().refine(isApiName), { code, message: `${what} must be ${API_NAME_RULE}` });

/** An object body field that must be text (the service checks its length and characters). */
export const text = (name: string, code = `invalid_${name}`) =>
  field(z.string(), { code, message: `${name} must be text` });
