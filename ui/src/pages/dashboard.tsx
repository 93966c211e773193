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
          {user.role === 'admin' && (
            <Card title="Connect devices">
              <p>
                Devices log in to the hub's MQTT broker with their own username and secret (
                <code>hub device add</code>). To check the hub over TLS they need its certificate.
              </p>
              <a class="button-link" href="/api/v1/mqtt/ca.crt" download="energy-hub-ca.crt">
                Download the hub's CA certificate
              </a>
            </Card>
          )}
        </div>
      </main>
    </div>
  );
}
