import { UserError } from '../../shared/errors.js';
import type { TemplateService } from '../../ingest/template-service.js';
import { principalOf, type RouteDef } from '../route-table.js';
import { bodyOf } from './session.js';

/** Device templates: list them, and apply one to a node (creates feeds, inputs, process lists). */
export function templateRoutes(templates: TemplateService): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/templates',
      access: 'admin',
      handler: (_req, res) => res.json(templates.list()),
    },
    {
      method: 'post',
      path: '/api/v1/templates/:id/apply',
      access: 'admin',
      handler: (req, res) => {
        const node = bodyOf(req).node;
        if (typeof node !== 'string' || !/^[\p{L}\p{N}_.-]{1,64}$/u.test(node))
          throw new UserError('node must be 1 to 64 letters, digits, "_", "-" or "."', 400, 'invalid_node');
        res.json(templates.applyTemplate(String(req.params.id), node, principalOf(res).userId));
      },
    },
  ];
}
