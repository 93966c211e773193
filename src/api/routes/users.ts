import type { AuthService } from '../../auth/auth-service.js';
import { UserError } from '../../shared/errors.js';
import type { ApiKeys, UserSummary } from '../contract.js';
import { principalOf, type RouteDef } from '../route-table.js';
import { bodyOf } from './session.js';

/** User administration (admins) and each user's own password and API keys. */
export function userRoutes(auth: AuthService): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/users',
      access: 'admin',
      handler: (_req, res) => res.json(auth.listUsers() satisfies UserSummary[]),
    },
    {
      method: 'post',
      path: '/api/v1/users',
      access: 'admin',
      handler: async (req, res) => {
        const body = bodyOf(req);
        res.status(201).json(await auth.addUser(body.username, body.password, body.role));
      },
    },
    {
      method: 'put',
      path: '/api/v1/users/:username/password',
      access: 'admin',
      handler: async (req, res) => {
        await auth.setPassword(String(req.params.username), bodyOf(req).password);
        res.status(204).end();
      },
    },
    {
      method: 'delete',
      path: '/api/v1/users/:username',
      access: 'admin',
      handler: (req, res) => {
        auth.deleteUser(String(req.params.username));
        res.status(204).end();
      },
    },
    {
      method: 'put',
      path: '/api/v1/me/password',
      access: 'user',
      handler: async (req, res) => {
        const body = bodyOf(req);
        await auth.changeOwnPassword(principalOf(res).userId, body.currentPassword, body.newPassword);
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: '/api/v1/me/apikeys',
      access: 'user',
      handler: (_req, res) => res.json(auth.apiKeys(principalOf(res).userId) satisfies ApiKeys),
    },
    {
      method: 'post',
      path: '/api/v1/me/apikeys/:scope/regenerate',
      access: 'user',
      handler: (req, res) => {
        const scope = req.params.scope;
        if (scope !== 'read' && scope !== 'write') {
          throw new UserError('scope must be "read" or "write"', 400, 'invalid_scope');
        }
        res.json(auth.regenerateApiKey(principalOf(res).userId, scope) satisfies ApiKeys);
      },
    },
  ];
}
