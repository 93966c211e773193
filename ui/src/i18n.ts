import { useEffect, useState } from 'preact/hooks';

// Every string the app shows after sign-in, in English and Welsh (Cymraeg). Keys name the place.
const en = {
  'nav.dashboard': 'Dashboard',
  'nav.inputs': 'Inputs and feeds',
  'nav.main': 'Main',
  'shell.logout': 'Log out',
  'shell.language': 'Language',
  'dash.title': 'Dashboard',
  'dash.power': 'Power now',
  'dash.noPower': 'No power feed yet: the hub shows the first feed in watts named "use" or "power".',
  'dash.lastHour': 'Last hour',
  'dash.updated': 'Updated {time}',
  'dash.sources': 'Data sources',
  'dash.noSources': 'Meters, plugs and chargers you connect are listed here.',
  'dash.seen': 'seen {time}',
  'dash.stale': 'stale',
  'dash.live': 'live',
  'dash.connect': 'Connect devices',
  'dash.connectText':
    "Devices log in to the hub's MQTT broker with their own username and secret (hub device add). To check the hub over TLS they need its certificate.",
  'dash.ca': "Download the hub's CA certificate",
  'inputs.title': 'Inputs and feeds',
  'inputs.node': 'Node {node}',
  'inputs.none': 'No inputs yet: they appear when a device sends its first reading.',
  'inputs.name': 'Input',
  'inputs.value': 'Value',
  'inputs.time': 'Updated',
  'inputs.process': 'Process list',
  'inputs.edit': 'Edit process list of {name}',
  'inputs.addStep': 'Add step',
  'inputs.remove': 'Remove',
  'inputs.up': 'Move up',
  'inputs.down': 'Move down',
  'inputs.save': 'Save',
  'inputs.cancel': 'Cancel',
  'inputs.saved': 'Saved',
  'inputs.step': 'Step {n}',
  'inputs.argument': 'Argument',
  'feeds.title': 'Feeds',
  'feeds.create': 'Create feed',
  'feeds.name': 'Feed name',
  'feeds.interval': 'Interval (seconds)',
  'feeds.unit': 'Unit',
  'feeds.none': 'No feeds yet.',
  'feeds.last': 'Last value',
  'nav.history': 'History',
  'history.title': 'History',
  'history.chart': 'Chart',
  'history.feed': 'Feed',
  'history.range': 'Time range',
  'history.hour': 'Hour',
  'history.day': 'Day',
  'history.week': 'Week',
  'history.month': 'Month',
  'history.year': 'Year',
  'history.earlier': 'Earlier',
  'history.later': 'Later',
  'history.hint': 'Drag across the chart to zoom in.',
  'history.csv': 'Download CSV of what is shown',
  'nav.settings': 'Settings',
  'settings.title': 'Settings',
  'settings.users': 'Users',
  'settings.username': 'Username',
  'settings.password': 'Password',
  'settings.role': 'Role',
  'settings.viewer': 'Viewer (dashboards and history)',
  'settings.admin': 'Administrator',
  'settings.addUser': 'Add user',
  'settings.apiKeys': 'API keys',
  'settings.readKey': 'Read key',
  'settings.writeKey': 'Write key',
  'settings.regenerate': 'Regenerate',
  'settings.status': 'System status',
  'dash.today': 'Today',
  'dash.energy': '{kwh} kWh',
  'dash.cost': '{cost} including a standing charge of {standing}',
  'dash.goodTime': 'A good time to use electricity ({band} rate)',
  'dash.notNow': "Better to wait: {band} rate is above the day's average",
  'dash.flat': 'Flat rate: any time costs the same',
  'tariff.title': 'Tariff',
  'tariff.currency': 'Currency',
  'tariff.standing': 'Standing charge per day (minor units, e.g. pence)',
  'tariff.vat': 'VAT (%)',
  'tariff.band': 'Band name',
  'tariff.start': 'From',
  'tariff.end': 'Until',
  'tariff.price': 'Price per kWh (minor units)',
  'tariff.addBand': 'Add band',
  'tariff.save': 'Save tariff',
  'nav.energy': 'Energy',
  'energy.title': 'Energy',
  'energy.previous': 'Previous month',
  'energy.next': 'Next month',
  'energy.daily': 'Energy per day (choose a day for its half-hours)',
  'energy.dayBar': 'Day {day}: {kwh} kWh',
  'energy.halfHours': 'Half-hours of {day}',
  'energy.bill': 'Summary for {month}',
  'energy.band': 'Band',
  'energy.cost': 'Cost',
  'energy.standing': 'Standing charge',
  'energy.total': 'Total',
  'dash.solar': 'Solar now',
  'dash.import': 'From the grid now',
  'dash.export': 'To the grid now',
  'auth.welcome': 'Welcome to your Energy Hub',
  'auth.welcomeText':
    'Create the administrator account. You will use it to add meters, devices and other people.',
  'auth.username': 'Username',
  'auth.newPassword': 'Password (at least 8 characters)',
  'auth.passwordAgain': 'Password again',
  'auth.differ': 'The two passwords differ.',
  'auth.create': 'Create administrator',
  'auth.creating': 'Creating…',
  'auth.signInTitle': 'Sign in to your Energy Hub',
  'auth.password': 'Password',
  'auth.signIn': 'Sign in',
  'auth.signingIn': 'Signing in…',
  'app.loading': 'Loading…',
  'app.unreachable': 'The hub cannot be reached: {error}',
  'settings.resetPassword': 'Set password',
  'settings.newPassword': 'New password for {name}',
  'templates.title': 'Device templates',
  'templates.template': 'Template',
  'templates.node': 'Node',
  'templates.apply': 'Apply template',
  'settings.timeZone': 'Timezone',
  'settings.timeZoneSaved': 'Saved: the hub uses it from its next restart.',
};
export type MessageKey = keyof typeof en;

const cy: Record<MessageKey, string> = {
  'nav.dashboard': 'Dangosfwrdd',
  'nav.inputs': 'Mewnbynnau a ffrydiau',
  'nav.main': 'Prif',
  'shell.logout': 'Allgofnodi',
  'shell.language': 'Iaith',
  'dash.title': 'Dangosfwrdd',
  'dash.power': 'Pŵer nawr',
  'dash.noPower':
    'Dim ffrwd pŵer eto: mae\'r hwb yn dangos y ffrwd gyntaf mewn watiau o\'r enw "use" neu "power".',
  'dash.lastHour': 'Yr awr ddiwethaf',
  'dash.updated': 'Diweddarwyd {time}',
  'dash.sources': 'Ffynonellau data',
  'dash.noSources': "Mae'r mesuryddion, plygiau a gwefrwyr rydych chi'n eu cysylltu wedi'u rhestru yma.",
  'dash.seen': 'gwelwyd {time}',
  'dash.stale': 'hen',
  'dash.live': 'byw',
  'dash.connect': 'Cysylltu dyfeisiau',
  'dash.connectText':
    "Mae dyfeisiau'n mewngofnodi i frocer MQTT yr hwb gyda'u henw defnyddiwr a'u cyfrinach eu hunain (hub device add). I wirio'r hwb dros TLS mae angen ei dystysgrif arnynt.",
  'dash.ca': 'Lawrlwytho tystysgrif CA yr hwb',
  'inputs.title': 'Mewnbynnau a ffrydiau',
  'inputs.node': 'Nod {node}',
  'inputs.none': "Dim mewnbynnau eto: maen nhw'n ymddangos pan fydd dyfais yn anfon ei darlleniad cyntaf.",
  'inputs.name': 'Mewnbwn',
  'inputs.value': 'Gwerth',
  'inputs.time': 'Diweddarwyd',
  'inputs.process': 'Rhestr brosesu',
  'inputs.edit': 'Golygu rhestr brosesu {name}',
  'inputs.addStep': 'Ychwanegu cam',
  'inputs.remove': 'Tynnu',
  'inputs.up': 'Symud i fyny',
  'inputs.down': 'Symud i lawr',
  'inputs.save': 'Cadw',
  'inputs.cancel': 'Canslo',
  'inputs.saved': 'Wedi cadw',
  'inputs.step': 'Cam {n}',
  'inputs.argument': 'Ymresymiad',
  'feeds.title': 'Ffrydiau',
  'feeds.create': 'Creu ffrwd',
  'feeds.name': "Enw'r ffrwd",
  'feeds.interval': 'Cyfwng (eiliadau)',
  'feeds.unit': 'Uned',
  'feeds.none': 'Dim ffrydiau eto.',
  'feeds.last': 'Gwerth diwethaf',
  'nav.history': 'Hanes',
  'history.title': 'Hanes',
  'history.chart': 'Siart',
  'history.feed': 'Ffrwd',
  'history.range': 'Cyfnod amser',
  'history.hour': 'Awr',
  'history.day': 'Diwrnod',
  'history.week': 'Wythnos',
  'history.month': 'Mis',
  'history.year': 'Blwyddyn',
  'history.earlier': 'Cynharach',
  'history.later': 'Hwyrach',
  'history.hint': 'Llusgwch ar draws y siart i chwyddo i mewn.',
  'history.csv': "Lawrlwytho CSV o'r hyn a ddangosir",
  'nav.settings': 'Gosodiadau',
  'settings.title': 'Gosodiadau',
  'settings.users': 'Defnyddwyr',
  'settings.username': 'Enw defnyddiwr',
  'settings.password': 'Cyfrinair',
  'settings.role': 'Rôl',
  'settings.viewer': 'Gwyliwr (dangosfyrddau a hanes)',
  'settings.admin': 'Gweinyddwr',
  'settings.addUser': 'Ychwanegu defnyddiwr',
  'settings.apiKeys': 'Allweddi API',
  'settings.readKey': 'Allwedd darllen',
  'settings.writeKey': 'Allwedd ysgrifennu',
  'settings.regenerate': 'Creu o newydd',
  'settings.status': 'Statws y system',
  'dash.today': 'Heddiw',
  'dash.energy': '{kwh} kWh',
  'dash.cost': '{cost} gan gynnwys tâl sefydlog o {standing}',
  'dash.goodTime': 'Amser da i ddefnyddio trydan (cyfradd {band})',
  'dash.notNow': 'Gwell aros: mae cyfradd {band} yn uwch na chyfartaledd y dydd',
  'dash.flat': "Cyfradd unffurf: mae pob amser yn costio'r un fath",
  'tariff.title': 'Tariff',
  'tariff.currency': 'Arian cyfred',
  'tariff.standing': 'Tâl sefydlog y dydd (unedau lleiaf, e.e. ceiniogau)',
  'tariff.vat': 'TAW (%)',
  'tariff.band': "Enw'r band",
  'tariff.start': 'O',
  'tariff.end': 'Tan',
  'tariff.price': 'Pris y kWh (unedau lleiaf)',
  'tariff.addBand': 'Ychwanegu band',
  'tariff.save': "Cadw'r tariff",
  'nav.energy': 'Ynni',
  'energy.title': 'Ynni',
  'energy.previous': 'Mis blaenorol',
  'energy.next': 'Mis nesaf',
  'energy.daily': 'Ynni bob dydd (dewiswch ddiwrnod i weld ei hanner oriau)',
  'energy.dayBar': 'Diwrnod {day}: {kwh} kWh',
  'energy.halfHours': 'Hanner oriau {day}',
  'energy.bill': 'Crynodeb am {month}',
  'energy.band': 'Band',
  'energy.cost': 'Cost',
  'energy.standing': 'Tâl sefydlog',
  'energy.total': 'Cyfanswm',
  'dash.solar': 'Solar nawr',
  'dash.import': "O'r grid nawr",
  'dash.export': "I'r grid nawr",
  'auth.welcome': "Croeso i'ch Hwb Ynni",
  'auth.welcomeText':
    'Crëwch gyfrif y gweinyddwr. Byddwch yn ei ddefnyddio i ychwanegu mesuryddion, dyfeisiau a phobl eraill.',
  'auth.username': 'Enw defnyddiwr',
  'auth.newPassword': 'Cyfrinair (o leiaf 8 nod)',
  'auth.passwordAgain': 'Cyfrinair eto',
  'auth.differ': "Mae'r ddau gyfrinair yn wahanol.",
  'auth.create': 'Creu gweinyddwr',
  'auth.creating': 'Wrthi’n creu…',
  'auth.signInTitle': "Mewngofnodi i'ch Hwb Ynni",
  'auth.password': 'Cyfrinair',
  'auth.signIn': 'Mewngofnodi',
  'auth.signingIn': 'Wrthi’n mewngofnodi…',
  'app.loading': 'Yn llwytho…',
  'app.unreachable': 'Ni ellir cyrraedd yr hwb: {error}',
  'settings.resetPassword': 'Gosod cyfrinair',
  'settings.newPassword': 'Cyfrinair newydd i {name}',
  'templates.title': 'Templedi dyfeisiau',
  'templates.template': 'Templed',
  'templates.node': 'Nod',
  'templates.apply': "Cymhwyso'r templed",
  'settings.timeZone': 'Cylchfa amser',
  'settings.timeZoneSaved': "Wedi cadw: bydd yr hwb yn ei defnyddio o'i ailgychwyn nesaf.",
};

export const LOCALES = {
  en: { name: 'English', messages: en },
  cy: { name: 'Cymraeg', messages: cy },
} as const;
export type Locale = keyof typeof LOCALES;

let current: Locale =
  (localStorage.getItem('hub.locale') as Locale | null) ??
  (navigator.language.startsWith('cy') ? 'cy' : 'en');
if (!(current in LOCALES)) current = 'en';
const listeners = new Set<() => void>();

export function setLocale(locale: Locale): void {
  current = locale;
  localStorage.setItem('hub.locale', locale);
  document.documentElement.lang = locale;
  listeners.forEach((l) => l());
}

/** The current locale and a translator; re-renders the caller when the language changes. */
export function useI18n(): {
  locale: Locale;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
} {
  const [, bump] = useState(0);
  useEffect(() => {
    const l = () => bump((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  document.documentElement.lang = current;
  const messages = LOCALES[current].messages;
  return {
    locale: current,
    t: (key, vars = {}) =>
      messages[key].replace(/\{(\w+)\}/g, (_m, name: string) => String(vars[name] ?? '')),
  };
}

/** Numbers and times in the chosen language and the hub's timezone. */
export function formatNumber(locale: Locale, value: number, digits = 0): string {
  return new Intl.NumberFormat(locale === 'cy' ? 'cy-GB' : 'en-GB', { maximumFractionDigits: digits }).format(
    value,
  );
}

/** Minor units (pence, cents) as money in the chosen language. */
export function formatMoney(locale: Locale, minor: number, currency: string): string {
  return new Intl.NumberFormat(locale === 'cy' ? 'cy-GB' : 'en-GB', { style: 'currency', currency }).format(
    minor / 100,
  );
}

let hubTimeZone: string | undefined;

/** The hub's timezone (from /api/v1/hub): times are shown as the household's clock reads them. */
export function setHubTimeZone(timeZone: string): void {
  hubTimeZone = timeZone;
}

export function formatTime(locale: Locale, timeS: number): string {
  return new Intl.DateTimeFormat(locale === 'cy' ? 'cy-GB' : 'en-GB', {
    timeStyle: 'medium',
    timeZone: hubTimeZone,
  }).format(timeS * 1000);
}

export function formatDate(locale: Locale, timeS: number): string {
  return new Intl.DateTimeFormat(locale === 'cy' ? 'cy-GB' : 'en-GB', {
    dateStyle: 'medium',
    timeZone: hubTimeZone,
  }).format(timeS * 1000);
}

/** The day of the month of an instant on the hub's calendar. */
export function dayOfMonth(timeS: number): number {
  return Number(
    new Intl.DateTimeFormat('en-GB', { day: 'numeric', timeZone: hubTimeZone }).format(timeS * 1000),
  );
}

export function currentHubTimeZone(): string | undefined {
  return hubTimeZone;
}
