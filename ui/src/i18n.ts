import { useEffect, useState } from 'preact/hooks';

// Every string the app shows after sign-in, in English and Welsh (Cymraeg). Keys name the place.
const en = {
  'nav.dashboard': 'Dashboard',
  'nav.inputs': 'Inputs and feeds',
  'nav.inputsShort': 'Inputs',
  'nav.main': 'Main',
  'shell.logout': 'Log out',
  'shell.language': 'Language',
  'dash.title': 'Dashboard',
  'dash.power': 'House use now',
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
    "Each meter, plug or charger logs in to the hub with its own username and secret. Add it here, then type them into the device's MQTT settings, with this hub's address as the server.",
  'device.name': 'Device name',
  'device.kind': 'Type of device',
  'device.kind.emonesp': 'EmonESP or emonTx Wi-Fi',
  'device.kind.emonhub': 'emonPi or emonBase (emonhub)',
  'device.kind.shelly': 'Shelly',
  'device.kind.tasmota': 'Tasmota plug',
  'device.kind.openevse': 'OpenEVSE charger',
  'device.kind.hub': 'Another Energy Hub',
  'device.topic': 'Topic name',
  'device.topicHelp':
    "Topic name: the device's own MQTT name — EmonESP's node name, a Shelly's id, Tasmota's topic, OpenEVSE's base topic; for emonhub any label.",
  'device.add': 'Add device',
  'device.username': 'MQTT username',
  'device.secret': 'MQTT password (secret)',
  'device.secretOnce': 'The secret is shown only now: copy it into the device before leaving this page.',
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
  'secret.show': 'Show {name}',
  'secret.hide': 'Hide {name}',
  'secret.showShort': 'Show',
  'secret.hideShort': 'Hide',
  'secret.copy': 'Copy {name}',
  'secret.copyShort': 'Copy',
  'secret.copied': 'Copied',
  'secret.copyFailed': 'This browser blocks copying here: the text is selected, copy it by hand.',
  'settings.status': 'System status',
  'dash.today': 'Today',
  'dash.energy': '{kwh} kWh',
  'dash.cost': '{cost} including a standing charge of {standing}',
  'dash.goodTime': 'A good time to use electricity ({band} rate)',
  'dash.notNow': "Better to wait: {band} rate is above the day's average",
  'dash.flat': 'Flat rate: any time costs the same',
  'tariff.title': 'Tariff',
  'tariff.currency': 'Currency',
  'tariff.standing': 'Standing charge ({unit}/day)',
  'tariff.vat': 'VAT (%)',
  'tariff.band': 'Band name',
  'tariff.start': 'From',
  'tariff.end': 'Until',
  'tariff.price': 'Price ({unit}/kWh)',
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
  'dash.grid': 'Grid now',
  'dash.importing': 'Importing',
  'dash.exporting': 'Exporting',
  'dash.battery': 'Battery now',
  'dash.discharging': 'Discharging',
  'dash.charging': 'Charging',
  'dash.exportCredit': 'Export earned {credit}',
  'energy.selfSufficiency': 'Self-sufficiency',
  'energy.selfConsumption': 'Self-consumption',
  'energy.sufficiencyText': 'of the energy used was not bought from the grid',
  'energy.consumptionText': 'of the solar energy was used at home',
  'energy.flow': 'Energy flow',
  'energy.flowLabel':
    'Solar {solar} kWh: {toHouse} kWh to the house and {toGrid} kWh to the grid; {fromGrid} kWh from the grid to the house.',
  'energy.batteryLabel': 'Battery: {kwh} kWh into the house (negative: charged).',
  'energy.solar': 'Solar',
  'energy.house': 'House',
  'energy.grid': 'Grid',
  'energy.battery': 'Battery',
  'energy.used': 'Used',
  'energy.imported': 'Bought from the grid',
  'energy.exported': 'Sold to the grid',
  'energy.generated': 'Solar generated',
  'energy.exportCredit': 'Export credit',
  'energy.standingDays': 'Standing charge ({days} days with data)',
  'energy.dayTotal': 'Cost of {day}',
  'energy.year': 'The year {year}',
  'energy.future': 'Day {day}: still to come',
  'energy.noData': 'Day {day}: no data',
  'tariff.hasExport': 'I am paid for the energy I export',
  'tariff.exportBand': 'Export band name',
  'tariff.exportPrice': 'Export price ({unit}/kWh)',
  'tariff.addExportBand': 'Add export band',
  // Comparisons on the Energy page (issue 11 item 4).
  'compare.title': 'Compared with',
  'compare.week': 'This week so far ({from} to {to}) and the same days last week',
  'compare.month': '{month} so far and the same days of {before}',
  'compare.thisWeek': 'This week',
  'compare.lastWeek': 'Last week',
  'compare.lastWeekDates': 'last week ({from} to {to})',
  'compare.thisMonth': 'This month',
  'compare.yearBefore': 'A year before',
  'compare.change': 'Difference',
  'compare.importCost': 'Import cost',
  'compare.noData': 'No data for {period}',
  'compare.partial': 'Data for {days} of its {of} days only',
  'energy.show': 'Show',
  'energy.showCost': 'Cost',
  'energy.dayCost': 'Day {day}: {cost}',
  'energy.costNote': 'Cost per day: import less export credit, without the standing charge.',
  // History on a touch screen (issue 11, item 9).
  'history.zoomHint':
    'Drag across the chart with the mouse or a finger to zoom in; pinch with two fingers to zoom in or out.',
};
export type MessageKey = keyof typeof en;

const cy: Record<MessageKey, string> = {
  'nav.dashboard': 'Dangosfwrdd',
  'nav.inputs': 'Mewnbynnau a ffrydiau',
  'nav.inputsShort': 'Mewnbynnau',
  'nav.main': 'Prif',
  'shell.logout': 'Allgofnodi',
  'shell.language': 'Iaith',
  'dash.title': 'Dangosfwrdd',
  'dash.power': 'Defnydd y tŷ nawr',
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
    "Mae pob mesurydd, plwg neu wefrydd yn mewngofnodi i'r hwb gyda'i enw defnyddiwr a'i gyfrinach ei hun. Ychwanegwch ef yma, yna teipiwch nhw i osodiadau MQTT y ddyfais, gyda chyfeiriad yr hwb hwn fel y gweinydd.",
  'device.name': "Enw'r ddyfais",
  'device.kind': 'Math o ddyfais',
  'device.kind.emonesp': 'EmonESP neu emonTx Wi-Fi',
  'device.kind.emonhub': 'emonPi neu emonBase (emonhub)',
  'device.kind.shelly': 'Shelly',
  'device.kind.tasmota': 'Plwg Tasmota',
  'device.kind.openevse': 'Gwefrydd OpenEVSE',
  'device.kind.hub': 'Energy Hub arall',
  'device.topic': 'Enw pwnc',
  'device.topicHelp':
    'Enw pwnc: enw MQTT y ddyfais ei hun — enw nod EmonESP, id Shelly, pwnc Tasmota, pwnc sylfaen OpenEVSE; i emonhub unrhyw label.',
  'device.add': 'Ychwanegu dyfais',
  'device.username': 'Enw defnyddiwr MQTT',
  'device.secret': 'Cyfrinair MQTT (cyfrinach)',
  'device.secretOnce':
    "Dim ond nawr y dangosir y gyfrinach: copïwch hi i'r ddyfais cyn gadael y dudalen hon.",
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
  'secret.show': 'Dangos {name}',
  'secret.hide': 'Cuddio {name}',
  'secret.showShort': 'Dangos',
  'secret.hideShort': 'Cuddio',
  'secret.copy': 'Copïo {name}',
  'secret.copyShort': 'Copïo',
  'secret.copied': 'Wedi copïo',
  'secret.copyFailed': "Mae'r porwr yn atal copïo yma: mae'r testun wedi'i ddewis, copïwch ef â llaw.",
  'settings.status': 'Statws y system',
  'dash.today': 'Heddiw',
  'dash.energy': '{kwh} kWh',
  'dash.cost': '{cost} gan gynnwys tâl sefydlog o {standing}',
  'dash.goodTime': 'Amser da i ddefnyddio trydan (cyfradd {band})',
  'dash.notNow': 'Gwell aros: mae cyfradd {band} yn uwch na chyfartaledd y dydd',
  'dash.flat': "Cyfradd unffurf: mae pob amser yn costio'r un fath",
  'tariff.title': 'Tariff',
  'tariff.currency': 'Arian cyfred',
  'tariff.standing': 'Tâl sefydlog ({unit}/dydd)',
  'tariff.vat': 'TAW (%)',
  'tariff.band': "Enw'r band",
  'tariff.start': 'O',
  'tariff.end': 'Tan',
  'tariff.price': 'Pris ({unit}/kWh)',
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
  'dash.grid': 'Grid nawr',
  'dash.importing': 'Yn mewnforio',
  'dash.exporting': 'Yn allforio',
  'dash.battery': 'Batri nawr',
  'dash.discharging': 'Yn dadwefru',
  'dash.charging': 'Yn gwefru',
  'dash.exportCredit': 'Enillwyd am allforio {credit}',
  'energy.selfSufficiency': 'Hunangynhaliaeth',
  'energy.selfConsumption': 'Hunan-ddefnydd',
  'energy.sufficiencyText': "o'r ynni a ddefnyddiwyd heb ei brynu o'r grid",
  'energy.consumptionText': "o'r ynni solar a ddefnyddiwyd gartref",
  'energy.flow': 'Llif ynni',
  'energy.flowLabel':
    "Solar {solar} kWh: {toHouse} kWh i'r tŷ a {toGrid} kWh i'r grid; {fromGrid} kWh o'r grid i'r tŷ.",
  'energy.batteryLabel': "Batri: {kwh} kWh i'r tŷ (negyddol: wedi'i wefru).",
  'energy.solar': 'Solar',
  'energy.house': 'Tŷ',
  'energy.grid': 'Grid',
  'energy.battery': 'Batri',
  'energy.used': 'Defnyddiwyd',
  'energy.imported': "Prynwyd o'r grid",
  'energy.exported': "Gwerthwyd i'r grid",
  'energy.generated': 'Cynhyrchwyd gan solar',
  'energy.exportCredit': 'Credyd allforio',
  'energy.standingDays': 'Tâl sefydlog ({days} diwrnod â data)',
  'energy.dayTotal': 'Cost {day}',
  'energy.year': 'Y flwyddyn {year}',
  'energy.future': 'Diwrnod {day}: eto i ddod',
  'energy.noData': 'Diwrnod {day}: dim data',
  'tariff.hasExport': "Rwy'n cael fy nhalu am yr ynni rwy'n ei allforio",
  'tariff.exportBand': "Enw'r band allforio",
  'tariff.exportPrice': 'Pris allforio ({unit}/kWh)',
  'tariff.addExportBand': 'Ychwanegu band allforio',
  // Comparisons on the Energy page (issue 11 item 4).
  'compare.title': "O'i gymharu â",
  'compare.week': "Yr wythnos hon hyd yma ({from} i {to}) a'r un dyddiau yr wythnos diwethaf",
  'compare.month': "{month} hyd yma a'r un dyddiau yn {before}",
  'compare.thisWeek': 'Yr wythnos hon',
  'compare.lastWeek': 'Yr wythnos diwethaf',
  'compare.lastWeekDates': 'yr wythnos diwethaf ({from} i {to})',
  'compare.thisMonth': 'Y mis hwn',
  'compare.yearBefore': 'Flwyddyn ynghynt',
  'compare.change': 'Gwahaniaeth',
  'compare.importCost': 'Cost mewnforio',
  'compare.noData': 'Dim data am {period}',
  'compare.partial': "Data am {days} o'i {of} diwrnod yn unig",
  'energy.show': 'Dangos',
  'energy.showCost': 'Cost',
  'energy.dayCost': 'Diwrnod {day}: {cost}',
  'energy.costNote': 'Cost y dydd: mewnforio llai credyd allforio, heb y tâl sefydlog.',
  // History on a touch screen (issue 11, item 9).
  'history.zoomHint':
    'Llusgwch ar draws y siart gyda’r llygoden neu fys i chwyddo i mewn; pinsiwch gyda dau fys i chwyddo i mewn neu allan.',
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

/**
 * The Intl locales for a language: a browser without Welsh data (Debian's Chromium) falls back to
 * British English (`26 Nov`, 24-hour), never to its own default (US order, 12-hour).
 */
export const tag = (locale: Locale): string[] => (locale === 'cy' ? ['cy-GB', 'en-GB'] : ['en-GB']);

/** Numbers and times in the chosen language and the hub's timezone. */
export function formatNumber(locale: Locale, value: number, digits = 0): string {
  return new Intl.NumberFormat(tag(locale), { maximumFractionDigits: digits }).format(value);
}

/** Minor units (pence, cents) as money in the chosen language. */
export function formatMoney(locale: Locale, minor: number, currency: string): string {
  return new Intl.NumberFormat(tag(locale), { style: 'currency', currency }).format(minor / 100);
}

let hubTimeZone: string | undefined;

/** The hub's timezone (from /api/v1/hub): times are shown as the household's clock reads them. */
export function setHubTimeZone(timeZone: string): void {
  hubTimeZone = timeZone;
}

export function formatTime(locale: Locale, timeS: number): string {
  return new Intl.DateTimeFormat(tag(locale), {
    timeStyle: 'medium',
    timeZone: hubTimeZone,
  }).format(timeS * 1000);
}

/** Hours and minutes on a 24-hour clock (`18:30`), in the hub's timezone. */
export function formatHourMinute(locale: Locale, timeS: number): string {
  return new Intl.DateTimeFormat(tag(locale), {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: hubTimeZone,
  }).format(timeS * 1000);
}

/** A short date (`26 Nov`; `26 Tach` in Welsh), in the hub's timezone. */
export function formatDayMonth(locale: Locale, timeS: number): string {
  return new Intl.DateTimeFormat(tag(locale), {
    day: 'numeric',
    month: 'short',
    timeZone: hubTimeZone,
  }).format(timeS * 1000);
}

/** A share (0–1) as a whole percentage in the chosen language; a dash when there is none. */
export function formatPercent(locale: Locale, share: number | null): string {
  return share === null
    ? '–'
    : new Intl.NumberFormat(tag(locale), { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

/**
 * Tick labels for a time axis (uPlot's `values`): 24-hour times for ticks under a day apart, else
 * `26 Nov`, else month and year; never the browser's default US format.
 */
export function timeAxisValues(locale: Locale) {
  return (_u: unknown, splits: number[], _axis: number, _space: number, incrS: number): string[] =>
    splits.map((s) =>
      incrS < 86_400
        ? formatHourMinute(locale, s)
        : incrS < 28 * 86_400
          ? formatDayMonth(locale, s)
          : new Intl.DateTimeFormat(tag(locale), {
              month: 'short',
              year: 'numeric',
              timeZone: hubTimeZone,
            }).format(s * 1000),
    );
}

/** Today's date on the hub's calendar (month 1–12). */
export function hubToday(nowMs = Date.now()): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    timeZone: hubTimeZone,
  }).formatToParts(nowMs);
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

export function formatDate(locale: Locale, timeS: number): string {
  return new Intl.DateTimeFormat(tag(locale), {
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

/** Month and year ("March 2025") of an instant on the hub's calendar. */
export function formatMonthYear(locale: Locale, timeS: number): string {
  return new Intl.DateTimeFormat(tag(locale), {
    month: 'long',
    year: 'numeric',
    timeZone: hubTimeZone,
  }).format(timeS * 1000);
}
