import type { SignalService } from '../../signals/signal-service.js';
import { targetSchema } from '../../signals/signal-target.js';
import type { SignalsView } from '../contract.js';
import { defineRoute, type RouteDef } from '../route-table.js';
import { field } from '../route-schema.js';

const targetBody = field(targetSchema, {
  code: 'invalid_target',
  message: (path, _input, problem) => `target ${path.join('.') || 'body'}: ${problem}`,
});

/** The signals and their freshness (viewers may read), and what the household optimises (admin sets). */
export function signalRoutes(signals: SignalService): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/signals',
      access: 'user',
      handler: (_req, res) => res.json(signals.list() satisfies SignalsView),
    },
    {
      method: 'get',
      path: '/api/v1/signals/target',
      access: 'user',
      handler: (_req, res) => res.json({ ...signals.target(), missing: signals.targetSignal().missing }),
    },
    defineRoute({
      method: 'put',
      path: '/api/v1/signals/target',
      access: 'admin',
      body: targetBody,
      handler: (_req, res, { body }) => {
        signals.setTarget(body);
        res.json({ ...signals.target(), missing: signals.targetSignal().missing });
      },
    }),
  ];
}
