import type { SessionInfo } from '../../../src/api/contract.js';
import { Card } from '../components.js';

/** The dashboard shell: live power, today's energy and sources fill in as later capabilities land. */
export function DashboardPage(props: { session: SessionInfo; onLogout: () => void }) {
  const { user } = props.session;
  return (
    <div class="shell">
      <header class="topbar">
        <span class="brand">Energy Hub</span>
        <nav aria-label="Main">
          <a href="/" aria-current="page">
            Dashboard
          </a>
        </nav>
        <div class="who">
          <span>
            {user.username} <small>({user.role})</small>
          </span>
          <button type="button" class="secondary" onClick={props.onLogout}>
            Log out
          </button>
        </div>
      </header>
      <main class="dashboard" aria-labelledby="dashboard-title">
        <h1 id="dashboard-title">Dashboard</h1>
        <div class="cards">
          <Card title="Power now">
            <p class="empty">No meter is connected yet.</p>
          </Card>
          <Card title="Today">
            <p class="empty">Energy and cost appear here once readings arrive.</p>
          </Card>
          <Card title="Data sources">
            <p class="empty">Meters, plugs and chargers you connect are listed here.</p>
          </Card>
        </div>
      </main>
    </div>
  );
}
