// The Community page's past days in English and Welsh (Cymraeg). The Welsh is a first draft that
// awaits review by a Welsh speaker.

const en = {
  'days.title': 'Past days',
  'days.help':
    'Per day in the hub’s time: the river’s generation and the community’s use as the meter gateway’s latest forecast for each half hour, and the household’s use from its meter.',
  'days.loading': 'Loading past days…',
  'days.empty': 'No history yet: {why}',
  'days.emptyWhy':
    'the hub keeps the river and community figures from the first day-ahead profile the meter gateway sends, and the household’s use from its meter.',
  'days.chart':
    'River generation and community use per day, kWh, from {from} to {to}. The table below gives every figure.',
  'days.hydro': 'River',
  'days.community': 'Community',
  'days.household': 'Household',
  'days.share': 'Household share',
  'days.good': 'Use in good hours',
  'days.day': 'Day',
  'days.today': 'Today so far',
  'days.hoursOf': '{hours} h of {of}',
  'days.goodSignal':
    'Good hours are the best third of the next 24 hours of {signal}, as kept for each half hour.',
  'why.no-feed': 'not kept',
  'why.not-power': 'not in kW',
  'why.no-data': 'no data',
  'why.no-community': 'community unknown',
  'why.no-household': 'household unknown',
  'why.community-zero': 'community used nothing',
  'why.mixed-target': 'only for a one-signal target',
  'why.no-use': 'no use',
};

export type CommunityMessageKey = keyof typeof en;

const cy: Record<CommunityMessageKey, string> = {
  'days.title': 'Dyddiau a fu',
  'days.help':
    'Fesul diwrnod yn amser yr hwb: cynhyrchu’r afon a defnydd y gymuned fel rhagolwg diweddaraf y porth mesurydd ar gyfer pob hanner awr, a defnydd y cartref o’i fesurydd.',
  'days.loading': 'Yn llwytho dyddiau a fu…',
  'days.empty': 'Dim hanes eto: {why}',
  'days.emptyWhy':
    'mae’r hwb yn cadw ffigurau’r afon a’r gymuned o’r proffil diwrnod-ymlaen cyntaf y mae’r porth mesurydd yn ei anfon, a defnydd y cartref o’i fesurydd.',
  'days.chart':
    'Cynhyrchu’r afon a defnydd y gymuned fesul diwrnod, kWh, o {from} i {to}. Mae’r tabl isod yn rhoi pob ffigur.',
  'days.hydro': 'Afon',
  'days.community': 'Cymuned',
  'days.household': 'Cartref',
  'days.share': 'Cyfran y cartref',
  'days.good': 'Defnydd mewn oriau da',
  'days.day': 'Diwrnod',
  'days.today': 'Heddiw hyd yma',
  'days.hoursOf': '{hours} awr o {of}',
  'days.goodSignal':
    'Oriau da yw’r traean gorau o’r 24 awr nesaf o {signal}, fel y’i cadwyd ar gyfer pob hanner awr.',
  'why.no-feed': 'heb ei gadw',
  'why.not-power': 'nid mewn kW',
  'why.no-data': 'dim data',
  'why.no-community': 'cymuned yn anhysbys',
  'why.no-household': 'cartref yn anhysbys',
  'why.community-zero': 'ni ddefnyddiodd y gymuned ddim',
  'why.mixed-target': 'dim ond ar gyfer targed un signal',
  'why.no-use': 'dim defnydd',
};

export const COMMUNITY_MESSAGES = { en, cy };
