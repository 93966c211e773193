import { z } from 'zod';
import type { AuthService } from '../../auth/auth-service.js';
import { ROLES } from '../../auth/roles.js';
import type { ApiKeys, UserSummary } from '../contract.js';
import { defineRoute, principalOf, type RouteDef } from '../route-table.js';
import { field } from '../route-schema.js';
import { text } from './common-schemas.js';

const usernameParams = z.object({ username: z.string() });

/** User administration (admins) and each user's own password and API keys. */
export function userRoutes(auth: AuthService): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/users',
      access: 'admin',
      handler: (_req, res) => res.json(auth.listUsers() satisfies UserSummary[]),
    },
    defineRoute({
      method: 'post',
      path: '/api/v1/users',
      access: 'admin',
      body: z.object({
        // The role first: a wrong one is refused before the password is hashed.
        role: field(z.enum(ROLES), { code: 'invalid_role', message: 'role must be "admin" or "viewer"' }),
        username: text('username'),
        password: text('password'),
      }),
      handler: async (_req, res, { body }) =>
        res
          .status(201)
          .json((await auth.addUser(body.username, body.password, body.role)) satisfies UserSummary),
    }),
    defineRoute({
      method: 'put',
      path: '/api/v1/users/:username/password',
      access: 'admin',
      params: usernameParams,
      body: z.object({ password: text('password') }),
      handler: async (_req, res, { params, body }) => {
        await auth.setPassword(params.username, body.password);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/users/:username',
      access: 'admin',
      params: usernameParams,
      handler: (_req, res, { params }) => {
        auth.deleteUser(params.username);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/v1/me/password',
      access: 'user',
      // A current password that is not text is a wrong one (403), as before.
      body: z.object({
        currentPassword: z.string().catch(''),
        newPassword: text('newPassword', 'invalid_password'),
      }),
      handler: async (_req, res, { body }) => {
        await auth.changeOwnPassword(principalOf(res).userId, body.currentPassword, body.newPassword);
        res.status(204).end();
      },
    }),
    {
      method: 'get',
      path: '/api/v1/me/apikeys',
      access: 'user',
      secrets: true, // the write key: a read key must not lead to it
      handler: (_req, res) => res.json(auth.apiKeys(principalOf(res).userId) satisfies ApiKeys),
    },
    defineRoute({
      method: 'post',
      path: '/api/v1/me/apikeys/:scope/regenerate',
      access: 'user',
      params: z.object({
        scope: field(z.enum(['read', 'write']), {
          code: 'invalid_scope',
          message: 'scope must be "read" or "write"',
        }),
      }),
      handler: (_req, res, { params }) =>
        res.json(auth.regenerateApiKey(principalOf(res).userId, params.scope) satisfies ApiKeys),
    }),
  ];
}
