import { z } from 'zod';
import type { TemplateService } from '../../ingest/template-service.js';
import { defineRoute, principalOf, type RouteDef } from '../route-table.js';
import { apiName } from './common-schemas.js';

/** Device templates: list them, and apply one to a node (creates feeds, inputs, process lists). */
export function templateRoutes(templates: TemplateService): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/templates',
      access: 'admin',
      handler: (_req, res) => res.json(templates.list()),
    },
    defineRoute({
      method: 'post',
      path: '/api/v1/templates/:id/apply',
      access: 'admin',
      params: z.object({ id: z.string() }),
      // The node rule of POST /api/v1/inputs: any node it takes can get a template.
      body: z.object({ node: apiName('node', 'invalid_node') }),
      handler: (_req, res, { params, body }) =>
        res.json(templates.applyTemplate(params.id, body.node, principalOf(res).userId)),
    }),
  ];
}
