// An EmonESP smart plug (SonOff S20) or WiFi relay, openenergymonitor/EmonESP at 3a41aec. Sources:
// - src/autoauth.cpp: UDP 5005, a packet read into a 255-byte buffer, NUL-terminated and compared
//   with strcmp to `emonpi.local`; a beacon from the server it already uses is ignored; then
//   auth_request() at once and every 10 s while the flag is 1; the body is split on ':' and saved
//   only with 3 parts (user:pass:basetopic, port kept) or 4 (…:port);
// - src/http.cpp get_http: `http://<server>:80/emoncms/device/auth/request.json`, the body on 200,
//   else `server error: <reason>`;
// - src/mqtt.cpp: client id = chip id, user/pass, no will; on connect `<base>/<node>/describe` =
//   node type and a subscription to `<base>/<node>/in/#`; in/ctrlmode 2|1|0|Timer|On|Off (anything
//   else Off, case-sensitive), in/timer "HHMM HHMM[ HHMM HHMM]", in/vout, in/flowT, in/state →
//   out/state {"ip","ctrlmode","timer","vout"}; data: every key on `<base>/<key>` plus
//   `<base>/<node>/freeram`; reconnect every 5 s (MQTT_CONNECT_TIMEOUT);
// - src/src.ino: the button flips ctrl_mode On↔Off (Timer → On) and publishes out/ctrlmode; the
//   relay is on inside a timer window (UTC, time_offset 0) unless On/Off overrides;
// - src/input.cpp: data only from a serial line or /input?string= (a plug has none), with freeram,
//   srssi, psent, psuccess appended.
import { createSocket, type Socket } from 'node:dgram';
import { get } from 'node:http';
import { MqttDeviceSim, hex6, type SimOptions, type Will } from './sim-base.js';

export interface EmonespSimOptions extends SimOptions {
  /** NODE_TYPE from platformio.ini: smartplug, wifirelay, hpmon. */
  nodeType?: string;
  /** hostname, default `<node type><node id>`. */
  nodeName?: string;
  chipId?: string;
  /** The hub's web port that auth_request() uses (the firmware's is 80). */
  httpPort?: number;
  mqttPort?: number;
  authIntervalMs?: number;
  ip?: string;
}

export type CtrlMode = 'On' | 'Off' | 'Timer';
const AUTH_PATH = '/emoncms/device/auth/request.json';
const BEACON = 'emonpi.local';

export class EmonespSim extends MqttDeviceSim {
  readonly nodeType: string;
  readonly nodeName: string;
  private readonly chipId: string;
  /** The hub's web port auth_request() uses (80 in the firmware). */
  httpPort: number;
  /** mqtt_port: 1883 unless the answer had a 4th part. */
  mqttPort: number;
  private readonly authIntervalMs: number;
  private readonly ip: string;
  protected readonly reconnectDelayMs = 5000;
  private udp: Socket | undefined;
  /** mqtt_server: where both the auth request and MQTT go. */
  server: string | undefined;
  basetopic = 'emonesp';
  /** 0 idle, 1 asking, 2 credentials saved (mqtt_auth_transfer_flag). */
  authFlag: 0 | 1 | 2 = 0;
  ctrlMode: CtrlMode = 'Off';
  timers: [number, number, number, number] = [0, 0, 0, 0];
  vout = 0;
  private asking = false;
  private credentialsSaved: ((creds: { username: string; password: string; basetopic: string }) => void)[] =
    [];
  psent = 0;

  constructor(opts: EmonespSimOptions = {}) {
    super(opts);
    this.nodeType = opts.nodeType ?? 'smartplug';
    this.nodeName = opts.nodeName ?? `${this.nodeType}1`;
    this.chipId = opts.chipId ?? String(Number.parseInt(hex6(this.nodeName), 16)); // ESP.getChipId(): 24 bits
    this.httpPort = opts.httpPort ?? 80;
    this.mqttPort = opts.mqttPort ?? 1883;
    this.authIntervalMs = opts.authIntervalMs ?? 10_000;
    this.ip = opts.ip ?? '192.168.1.23';
    this.deviceEvery(this.authIntervalMs, () => {
      if (this.authFlag === 1) void this.authRequest();
    });
  }

  /** The relay as the control loop drives it now (UTC clock, time_offset 0). */
  get relayOn(): boolean {
    if (this.ctrlMode === 'On') return true;
    if (this.ctrlMode === 'Off') return false;
    const d = new Date(this.clock.nowMs());
    const now = d.getUTCHours() * 100 + d.getUTCMinutes();
    const [s1, e1, s2, e2] = this.timers;
    const inside = (s: number, e: number) => (e >= s ? now >= s && now < e : now >= s || now < e);
    return inside(s1, e1) || inside(s2, e2);
  }

  /** Listens for the beacon on UDP `port` (5005; 0 = any free port); resolves with the port bound. */
  listenForBeacon(port = 5005, host = '0.0.0.0'): Promise<number> {
    const udp = createSocket('udp4');
    this.udp = udp;
    udp.on('message', (msg, rinfo) => this.onBeacon(msg, rinfo.address));
    return new Promise((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, host, () => resolve(udp.address().port));
    });
  }

  /** Skips the beacon: as if `emonpi.local` had come from `server`. */
  pairWith(server: string): Promise<void> {
    this.server = server;
    this.authFlag = 1;
    return this.authRequest();
  }

  /** Resolves when pairing has saved credentials (and MQTT is being connected). */
  paired(): Promise<{ username: string; password: string; basetopic: string }> {
    return new Promise((resolve) => this.credentialsSaved.push(resolve));
  }

  /** With credentials already set (typed into the web UI): connects at once. */
  useCredentials(url: string, username: string, password: string, basetopic: string): Promise<void> {
    this.basetopic = basetopic;
    return this.start({ url, username, password });
  }

  /** The button. */
  press(): Promise<void> {
    this.ctrlMode = this.ctrlMode === 'On' ? 'Off' : 'On';
    return this.pub('out/ctrlmode', this.ctrlMode);
  }

  /** A serial line `CT1:3935,CT2:325` (or /input?string=): every key to `<base>/<key>`. */
  async input(line: string): Promise<void> {
    const data: [string, number][] = [];
    for (const pair of line.trim().split(',')) {
      const [name, value] = pair.split(':');
      if (name && value) data.push([name, Number.parseFloat(value) || 0]);
    }
    if (data.length === 0) return;
    data.push(['freeram', 25_000], ['srssi', -61], ['psent', this.psent], ['psuccess', this.psent]);
    for (const [key, value] of data) await this.publish(`${this.basetopic}/${key}`, String(value));
    await this.pub('freeram', '25000');
  }

  override async stop(): Promise<void> {
    const udp = this.udp;
    this.udp = undefined;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    await super.stop();
  }

  protected clientId(): string {
    return this.chipId;
  }

  protected will(): Will | undefined {
    return undefined; // PubSubClient connect(id, user, pass): no last will
  }

  protected async onConnected(): Promise<void> {
    await this.pub('describe', this.nodeType);
    await this.subscribe([`${this.basetopic}/${this.nodeName}/in/#`]);
  }

  protected onMessage(topic: string, payload: Buffer): void {
    const prefix = `${this.basetopic}/${this.nodeName}/in/`;
    if (!topic.startsWith(prefix)) return;
    const text = payload.toString();
    switch (topic.slice(prefix.length)) {
      case 'ctrlmode':
        this.ctrlMode =
          text === '2' || text === 'Timer' ? 'Timer' : text === '1' || text === 'On' ? 'On' : 'Off';
        return;
      case 'timer':
        if (text.length === 9) this.timers = [num(text, 0), num(text, 5), this.timers[2], this.timers[3]];
        if (text.length === 19) this.timers = [num(text, 0), num(text, 5), num(text, 10), num(text, 15)];
        return;
      case 'vout':
        this.vout = Number.parseInt(text, 10) || 0;
        return;
      case 'flowT':
        this.vout = Math.trunc(((Number.parseFloat(text) || 0) - 7.14) / 0.0371);
        return;
      case 'state':
        void this.pub(
          'out/state',
          JSON.stringify({
            ip: this.ip,
            ctrlmode: this.ctrlMode,
            timer: this.timers.join(' '),
            vout: String(this.vout),
          }),
        );
    }
  }

  private pub(leaf: string, payload: string): Promise<void> {
    return this.publish(`${this.basetopic}/${this.nodeName}/${leaf}`, payload);
  }

  private onBeacon(msg: Buffer, from: string): void {
    const nul = msg.subarray(0, 255).indexOf(0);
    const text = msg.subarray(0, nul < 0 ? Math.min(msg.length, 255) : nul).toString('latin1');
    if (text !== BEACON || from === this.server) return;
    this.log(`beacon from ${from}`);
    void this.pairWith(from);
  }

  private async authRequest(): Promise<void> {
    if (this.asking || !this.server) return;
    this.asking = true;
    try {
      const body = await this.getHttp(this.server);
      const parts = body.split(':');
      if (body === 'request registered' || (parts.length !== 3 && parts.length !== 4)) return;
      const [username, password, basetopic, port] = parts as [string, string, string, string?];
      if (port !== undefined) this.mqttPort = Number.parseInt(port, 10) || 0;
      this.authFlag = 2;
      this.basetopic = basetopic;
      this.log(`MQTT settings ${username}:****:${basetopic}`);
      for (const resolve of this.credentialsSaved.splice(0)) resolve({ username, password, basetopic });
      // mqtt_restart(): a session with the old settings ends before the new one starts.
      const login = { url: `mqtt://${this.server}:${this.mqttPort}`, username, password };
      if (this.connected) await this.restart(login, 0);
      else void this.start(login);
    } finally {
      this.asking = false;
    }
  }

  /**
   * ESP8266HTTPClient's GET: its User-Agent and no browser headers (fetch() would add
   * Sec-Fetch-Mode, which the hub refuses as a browser's).
   */
  private getHttp(host: string): Promise<string> {
    return new Promise((resolve) => {
      const req = get(
        `http://${host}:${this.httpPort}${AUTH_PATH}`,
        { headers: { 'User-Agent': 'ESP8266HTTPClient', Connection: 'close' }, timeout: 5000 },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(res.statusCode === 200 ? text : `server error: ${res.statusMessage}`));
          res.on('error', (err) => resolve(`server error: ${err.message}`));
        },
      );
      req.on('timeout', () => req.destroy(new Error('read timeout')));
      req.on('error', (err) => resolve(`server error: ${err.message}`));
    });
  }
}

const num = (text: string, at: number) => Number.parseInt(text.slice(at, at + 4), 10) || 0;
