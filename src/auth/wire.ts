import { sessionRoutes } from '../api/routes/session.js';
import { userRoutes } from '../api/routes/users.js';
import type { DbPorts } from '../db/wire.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import { AuthService } from './auth-service.js';
import { SqliteSessionRepo } from './session-repo.sqlite.js';
import { SqliteSignInRepo } from './sign-in-repo.sqlite.js';
import { SqliteUserRepo } from './user-repo.sqlite.js';

export interface AuthPorts {
  auth: AuthService;
}

/** Users, sessions, API keys and sign-in limits. */
export function wireAuth(ctx: Pick<ModuleContext, 'config' | 'clock'> & DbPorts): WiredModule<AuthPorts> {
  const { db } = ctx;
  const auth = new AuthService(
    new SqliteUserRepo(db),
    new SqliteSessionRepo(db),
    ctx.clock,
    ctx.config.auth,
    new SqliteSignInRepo(db),
  );
  return {
    components: [auth.passwords],
    routes: [...sessionRoutes(auth), ...userRoutes(auth)],
    ports: { auth },
  };
}
