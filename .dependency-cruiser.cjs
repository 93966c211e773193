// The dependency rules of ARCHITECTURE.md, enforced on every `npm test`.
// File roles are read from names: adapters end in .redis.ts, .sqlite.ts, .fs.ts, .pino.ts,
// .process.ts, .net.ts, .udp.ts, .thread.ts, .worker.ts, .local.ts or live in api/, cli/, drivers/; services end in -service.ts or -runner.ts;
// every other module under src/ (except main.ts and compose.ts) is pure.
const adapter =
  '(\\.(redis|sqlite|fs|pino|process|net|udp|thread|worker|local)\\.ts$|^src/(api|cli)/|/drivers/)';
const service = '(-service|-runner)\\.ts$';
const io =
  '^(fs|net|http|https|dgram|child_process|tls|worker_threads|node:(fs|net|http|https|dgram|child_process|tls|worker_threads).*)$';
const ioPackages =
  'node_modules/(ioredis|better-sqlite3|aedes|express|mqtt|pino|serialport|onoff|bonjour-service|dgram-as-promised)/';
// Composition files: the root, the entries and each capability's wire.ts (ADR 008). They build
// adapters and services of several capabilities and hand each module the ports of those before it.
const composition = ['^src/(main|compose)\\.ts$', '^src/cli/main\\.ts$', '^src/[^/]+/wire\\.ts$'];

module.exports = {
  forbidden: [
    {
      name: 'pure-no-io',
      severity: 'error',
      comment: 'Pure modules take data and a Clock; they do no I/O (ARCHITECTURE.md, Dependency rules).',
      from: { path: '^src/', pathNot: [adapter, service, ...composition] },
      to: { path: [io, ioPackages] },
    },
    {
      name: 'no-foreign-adapters',
      severity: 'error',
      comment: 'A capability reaches another capability only through its ports, never its adapters.',
      from: { path: '^src/([^/]+)/', pathNot: composition },
      to: {
        path: '^src/[^/]+/.+\\.(redis|sqlite|fs|process|net|thread|worker|local)\\.ts$',
        pathNot: ['^src/$1/', '^src/db/'],
      },
    },
    {
      name: 'ports-between-capabilities',
      severity: 'error',
      comment:
        "A capability uses another's ports, types and pure modules, never its services (ADR 008): " +
        'the instance comes in through wire.ts as a port.',
      from: { path: '^src/([^/]+)/', pathNot: [...composition, '^src/(api|cli)/'] },
      to: { path: `^src/[^/]+/.+${service}`, pathNot: '^src/$1/' },
    },
    {
      name: 'edges-name-services-only-as-types',
      severity: 'error',
      comment:
        'The HTTP routes and the hub command are the edges that drive services: they may name a ' +
        "service's type (the instance comes from wire.ts or composeAdmin), never import its code.",
      from: { path: '^src/(api|cli)/', pathNot: composition },
      to: { path: `^src/[^/]+/.+${service}`, pathNot: '^src/$1/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'db-only-for-sqlite-adapters',
      severity: 'error',
      comment: 'The SQLite handle and migration runner are for *.sqlite.ts adapters and the entries.',
      from: { path: '^src/', pathNot: ['\\.sqlite\\.ts$', ...composition, '^src/db/'] },
      to: { path: '^src/db/.+\\.sqlite\\.ts$' },
    },
    {
      name: 'compose-is-the-root',
      severity: 'error',
      comment: 'Only the process entries (main.ts, cli/main.ts) and end-to-end tests import compose.ts.',
      from: { path: '^src/', pathNot: '^src/(main|cli/main)\\.ts$' },
      to: { path: '^src/compose\\.ts$' },
    },
    {
      name: 'src-stands-alone',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|scripts|ui)/' },
    },
    {
      name: 'ui-uses-only-the-contract',
      severity: 'error',
      comment: 'The web app talks to the hub over HTTP; it may share only src/api/contract.ts.',
      from: { path: '^ui/' },
      to: { path: '^src/', pathNot: '^src/api/contract\\.ts$' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
