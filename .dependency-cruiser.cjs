// @ts-check
/**
 * LoopLab's architecture, as rules that `npm test` enforces (`npm run rules`).
 *
 * Data flows one way: gateway → router → command → demo → measure → report. Each room under src/
 * (plus commands/) may only reach the rooms below it; these are the never-rules from README's
 * "How it is built". A violation names the importing file, the imported file and the rule.
 *
 * Type-only imports (`import type …`) are seen too (tsPreCompilationDeps): a type still couples two
 * rooms, so every rule counts them unless it says otherwise (only contracts may type-import
 * measure, work, log and config).
 */

/** A room's folder (or file), as dependency-cruiser's paths are relative to the repo root. */
const room = (...names) => `^src/(${names.join('|')})/`;
const DISCORD_JS = '^node_modules/(discord\\.js|@discordjs/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // --- the sandbox is Discord, another machine -------------------------------------------------
    {
      name: 'sandbox-knows-only-platform',
      severity: 'error',
      comment:
        'src/sandbox/ is Discord (another machine): it may use src/discord/ (the numbers) and src/lib/ ' +
        '(neutral helpers) and npm packages, nothing of the bot. A sandbox that imports the bot would ' +
        'agree with it by construction and test nothing.',
      from: { path: '^src/sandbox/', pathNot: '^src/sandbox/cli\\.ts$' },
      to: { path: '^(src/|commands/)', pathNot: room('sandbox', 'discord', 'lib') },
    },
    {
      name: 'sandbox-cli-serves-the-page',
      severity: 'error',
      comment:
        '`npm run sandbox` (src/sandbox/cli.ts) is wiring: the sandbox alone for any bot, with the ' +
        'classroom page (src/page/) mounted; still nothing of the bot.',
      from: { path: '^src/sandbox/cli\\.ts$' },
      to: { path: '^(src/|commands/)', pathNot: room('sandbox', 'discord', 'lib', 'page') },
    },
    {
      name: 'sandbox-only-from-wiring',
      severity: 'error',
      comment:
        'Only the wiring (src/main.ts, src/bot/, src/scripts/) starts the sandbox (and tests drive it). ' +
        'commands/, demos, work, measure, report, lessons, router, contracts never import src/sandbox/: ' +
        'the bot must behave the same against the real Discord.',
      from: {
        path: '^(src/|commands/)',
        pathNot: ['^src/main\\.ts$', room('bot', 'scripts', 'sandbox', 'page')],
      },
      to: { path: '^src/sandbox/' },
    },
    {
      name: 'page-is-the-sandbox-client',
      severity: 'error',
      comment:
        "src/page/ is the classroom page: Discord's client beside the sandbox, served from the sandbox's " +
        'thread. It may use src/sandbox/, src/discord/ and src/lib/ (and npm packages); of the bot only ' +
        'the types of the numbers it shows (measure, work, classroom), handed to it by the wiring. ' +
        'Nothing in src/ but the wiring (src/main.ts) imports it.',
      from: { path: '^src/page/' },
      to: {
        path: ['^(src/|commands/)', DISCORD_JS],
        pathNot: room('page', 'sandbox', 'discord', 'lib', 'measure', 'work', 'classroom'),
      },
    },
    {
      name: 'page-types-of-the-bot',
      severity: 'error',
      comment:
        'src/page/ names the types of measure, work and classroom (`import type`), never runs their code.',
      from: { path: '^src/page/' },
      to: { path: room('measure', 'work', 'classroom'), dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'page-only-from-wiring',
      severity: 'error',
      comment:
        'Only the wiring (src/main.ts, src/sandbox/cli.ts) starts the classroom page; the sandbox and the ' +
        'bot know nothing of it.',
      from: {
        path: '^(src/|commands/)',
        pathNot: ['^src/main\\.ts$', '^src/sandbox/cli\\.ts$', room('page')],
      },
      to: { path: '^src/page/' },
    },
    {
      name: 'page-client-is-browser-code',
      severity: 'error',
      comment:
        "src/page/client/ runs in the browser: it may import only itself and the page's protocol types " +
        '(no server code; no node built-ins: page-client-no-node).',
      from: { path: '^src/page/client/' },
      to: {
        path: '^(src/|commands/|node_modules/)',
        pathNot: ['^src/page/client/', '^src/page/protocol\\.ts$'],
      },
    },
    {
      name: 'page-client-no-node',
      severity: 'error',
      comment: 'src/page/client/ runs in the browser: no node built-ins.',
      from: { path: '^src/page/client/' },
      to: { dependencyTypes: ['core'] },
    },

    // --- commands/ is loaded by the registry, never imported ---------------------------------------
    {
      name: 'commands-only-from-registry',
      severity: 'error',
      comment:
        'commands/ sits on top: src/router/registry.ts loads the folder dynamically; no room in src/ ' +
        'imports a command (that would turn the one-way flow into a loop).',
      from: { path: '^src/', pathNot: '^src/router/registry\\.ts$' },
      to: { path: '^commands/' },
    },

    // --- the rooms ------------------------------------------------------------------------------
    {
      name: 'contracts-is-a-leaf',
      severity: 'error',
      comment:
        'src/contracts/ holds the types every room shares (CommandRun, CommandResult, the response ' +
        'session, BotContext, custom ids): it may import only src/discord/ and src/lib/, plus types ' +
        'from measure, work, log, config, classroom and store. Anything more and every room would depend ' +
        'on everything.',
      from: { path: '^src/contracts/' },
      to: {
        path: '^(src/|commands/)',
        pathNot: room(
          'contracts',
          'discord',
          'lib',
          'measure',
          'work',
          'log',
          'config',
          'classroom',
          'store',
        ),
      },
    },
    {
      name: 'contracts-types-only',
      severity: 'error',
      comment:
        'src/contracts/ may name the types of measure, work, log, config, classroom and store ' +
        '(`import type`), never their values: a contract that runs code of another room is no longer ' +
        'a contract.',
      from: { path: '^src/contracts/' },
      to: {
        path: room('measure', 'work', 'log', 'config', 'classroom', 'store'),
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'classroom-is-policy',
      severity: 'error',
      comment:
        "src/classroom/ is a teacher's brakes and each guild's settings: plain rules over plain data. " +
        'It decides; it never sends (router), renders (report) or talks to Discord (discord.js).',
      from: { path: '^src/classroom/' },
      to: { path: [room('router', 'report', 'demos', 'bot', 'contracts', 'measure', 'work'), DISCORD_JS] },
    },
    {
      name: 'store-is-storage',
      severity: 'error',
      comment:
        'src/store/ keeps settings behind one interface (SQLite now, PostgreSQL later): it knows ' +
        'nothing of the bot, its policy or Discord.',
      from: { path: '^src/store/' },
      to: { path: ['^(src/|commands/)', DISCORD_JS], pathNot: room('store', 'lib') },
    },
    {
      name: 'demos-return-outcomes',
      severity: 'error',
      comment:
        'src/demos/ are the strategies: they do the work and return an outcome. Responding (router), ' +
        'rendering (report), wiring (bot) and Discord itself (discord.js) are other rooms, so a demo ' +
        'can be run and checked without a bot.',
      from: { path: '^src/demos/' },
      to: { path: [room('router', 'report', 'bot'), DISCORD_JS] },
    },
    {
      name: 'work-knows-no-bot',
      severity: 'error',
      comment:
        'src/work/ runs in piscina worker threads too: the work kinds, the pool and the task module ' +
        'must not pull discord.js, the router, reports, measurements, demos or the bot into a worker.',
      from: { path: '^src/work/' },
      to: { path: [room('router', 'report', 'measure', 'demos', 'bot'), DISCORD_JS] },
    },
    {
      name: 'measure-is-a-package',
      severity: 'error',
      comment:
        "src/measure/ will be published as @looplab/doctor: it knows nothing of LoopLab's router, " +
        'reports, demos, bot or contracts, nor discord.js (it may use src/discord/ and src/lib/).',
      from: { path: '^src/measure/' },
      to: { path: [room('router', 'report', 'demos', 'bot', 'contracts'), DISCORD_JS] },
    },
    {
      name: 'report-is-pure',
      severity: 'error',
      comment:
        'src/report/ is pure: facts in, {content, embeds, files} out. It never sends (the router does ' +
        "every Discord send), so no router, bot, discord.js or @discordjs/rest; discord-api-types' types " +
        'are fine.',
      from: { path: '^src/report/' },
      to: { path: [room('router', 'bot'), DISCORD_JS] },
    },
    {
      name: 'telemetry-reads-numbers',
      severity: 'error',
      comment:
        'src/telemetry/ serves /healthz and /metrics from its own thread: it reads the numbers that ' +
        'measure, the pool and the contracts describe (and config, log, lib), nothing else. No router, ' +
        'report, demos, commands, sandbox or discord.js: a health check that ran bot code would freeze ' +
        'with the bot, and one that knew Discord could not be reused by another bot.',
      from: { path: '^src/telemetry/' },
      to: {
        path: ['^(src/|commands/)', DISCORD_JS],
        pathNot: room('telemetry', 'contracts', 'measure', 'work', 'lib', 'config', 'log'),
      },
    },
    {
      name: 'telemetry-types-of-contracts-and-work',
      severity: 'error',
      comment:
        "src/telemetry/ may name the contracts' and the work pool's types (`import type`), never run " +
        'their code: the pool is handed to it by the wiring, and contracts hold no code worth running.',
      from: { path: '^src/telemetry/' },
      to: { path: room('contracts', 'work'), dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'telemetry-only-from-wiring',
      severity: 'error',
      comment:
        'Only the wiring (src/main.ts, src/bot/) starts the telemetry and hands it the bot; every other ' +
        'room reports through the Telemetry contract (ctx.telemetry), so it works without a server.',
      from: { path: '^(src/|commands/)', pathNot: ['^src/main\\.ts$', room('bot', 'telemetry')] },
      to: { path: '^src/telemetry/' },
    },
    {
      name: 'shard-is-process-wiring',
      severity: 'error',
      comment:
        'src/shard/ runs shards in processes of their own (discord.js ShardingManager) and plans how ' +
        'many: it may use discord.js, src/discord/, src/lib/ and the logger type, nothing of the ' +
        'router, commands, demos, measure or report (a shard process is the whole bot, started anew).',
      from: { path: '^src/shard/' },
      to: { path: '^(src/|commands/)', pathNot: [room('shard', 'discord', 'lib'), '^src/log/logger\\.ts$'] },
    },
    {
      name: 'shard-only-from-main',
      severity: 'error',
      comment: 'Only src/main.ts decides to run as a ShardingManager or as one of its shards.',
      from: { path: '^(src/|commands/)', pathNot: ['^src/main\\.ts$', room('shard')] },
      to: { path: '^src/shard/' },
    },
    {
      name: 'lessons-are-texts',
      severity: 'error',
      comment: "src/lessons/ is /explain's texts and their rendering: no router, no bot.",
      from: { path: '^src/lessons/' },
      to: { path: room('router', 'bot') },
    },
    {
      name: 'discord-is-the-platform',
      severity: 'error',
      comment:
        "src/discord/ is the one place that knows Discord's numbers, shared by the bot and the sandbox: " +
        'it may import only src/lib/, discord-api-types and @looplab/doctor (whose tokenlessPath every ' +
        'recorded route goes through: one scrubber for the bot, the sandbox and the package), and node built-ins.',
      from: { path: '^src/discord/' },
      to: {
        path: ['^(src/|commands/)', '^node_modules/'],
        pathNot: [room('discord', 'lib'), '^node_modules/(discord-api-types|@looplab/doctor)/'],
      },
    },
    {
      name: 'lib-is-neutral',
      severity: 'error',
      comment: 'src/lib/ holds neutral helpers (bounded history, worker-thread starter): it imports no room.',
      from: { path: '^src/lib/' },
      to: { path: '^(src/|commands/)', pathNot: room('lib') },
    },
    {
      name: 'bench-is-outside',
      severity: 'error',
      comment:
        'bench/ (npm run bench) measures the bot from the outside; the bot never imports it, so what ' +
        'is measured is what users run.',
      from: { path: '^(src/|commands/)' },
      to: { path: '^bench/' },
    },

    // --- @looplab/doctor (packages/doctor) and the examples ----------------------------------------
    {
      name: 'doctor-package-is-standalone',
      severity: 'error',
      comment:
        'packages/doctor is @looplab/doctor, installed by bots that are not LoopLab: it imports nothing ' +
        'of the repository outside itself, and of npm packages only its peers discord.js and prom-client.',
      from: { path: '^packages/doctor/' },
      to: {
        path: ['^(src|commands|examples|bench|tests)/', '^node_modules/'],
        pathNot: '^node_modules/(discord\\.js|prom-client|@types/node)/',
      },
    },
    {
      name: 'doctor-package-by-its-name',
      severity: 'error',
      comment:
        "LoopLab and the examples use the package as any bot does, by its name ('@looplab/doctor'), " +
        'never by a path into packages/ (which would skip its build and its exports).',
      from: { path: '^(src|commands|examples)/' },
      to: { path: '^packages/' },
    },
    {
      name: 'examples-are-plain-bots',
      severity: 'error',
      comment:
        'examples/ are plain discord.js bots: discord.js and @looplab/doctor, nothing of LoopLab. Only ' +
        "an example's sandbox.ts (its `npm run example:…` runner) may start LoopLab's sandbox.",
      from: { path: '^examples/', pathNot: '^examples/[^/]+/sandbox\\.ts$' },
      to: {
        path: ['^(src|commands|bench|tests)/', '^node_modules/'],
        pathNot: '^node_modules/(discord\\.js|@looplab/doctor)/',
      },
    },
    {
      name: 'example-runner-uses-the-sandbox-only',
      severity: 'error',
      comment: "An example's sandbox.ts starts LoopLab's sandbox (src/sandbox/) and nothing else of LoopLab.",
      from: { path: '^examples/[^/]+/sandbox\\.ts$' },
      to: { path: '^(src|commands|bench|tests)/', pathNot: '^src/sandbox/' },
    },
    {
      name: 'nothing-imports-examples',
      severity: 'error',
      comment: 'examples/ show how a bot uses the package; LoopLab and the package never import them.',
      from: { path: '^(src|commands|packages)/' },
      to: { path: '^examples/' },
    },
    {
      name: 'package-and-examples-resolve',
      severity: 'error',
      comment:
        'An import in packages/doctor or examples/ that resolves to no file (a typo, or the package not ' +
        'built: `npm install` builds it through its prepare script).',
      from: { path: '^(packages/doctor|examples)/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'package-no-circular',
      severity: 'error',
      comment: 'No cycles in the package either.',
      from: { path: '^packages/doctor/' },
      to: { circular: true },
    },

    // --- everywhere -----------------------------------------------------------------------------
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'No cycles anywhere in src/ and commands/ (type-only ones included): a cycle means two rooms ' +
        'are really one, and the one-way flow is gone.',
      from: { path: '^(src/|commands/)' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'An import that resolves to no file (a typo, a moved module): the rules above could not see it.',
      from: { path: '^(src/|commands/)' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Paths stay as written (node_modules/discord.js/…), also in a copy whose node_modules is a link.
    preserveSymlinks: true,
    exclude: { path: '^(dist|coverage)/' },
    // See `import type` dependencies too: a type couples two rooms as much as a value.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
