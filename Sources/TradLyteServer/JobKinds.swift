import Foundation
import TradLyteApp
import TradLyteCore
import TradLyteStore

/// The kinds of job `POST /v1/jobs` takes, each the body of a CLI command with `--json`:
/// - `sweep` — `tradlyte sweep STRATEGY SYMBOL`: `params` ranges ("10:50:10" or "10,20"),
///   `metric`, `max`, `random`, and the study options.
/// - `walkforward` — `tradlyte walkforward`: `params`, `in_sample`, `out_of_sample`, `metric`.
/// - `watchlist_run` / `universe_run` — `tradlyte backtest STRATEGY --watchlist|--universe`.
/// - `portfolio` — `tradlyte portfolio`: one run, or a sweep when `params` or `max_positions`
///   hold ranges, or a walk-forward with `"walkforward": true`.
/// - `refresh` — `tradlyte refresh`: `symbols`, `backfill`, `relearn`.
/// The request is checked when it is posted (a bad one is refused with 400/404, no job made);
/// the work runs when a slot is free.
enum JobKinds {
    static let all = ["sweep", "walkforward", "watchlist_run", "universe_run", "portfolio", "refresh"]

    static func make(_ kind: String, fields: BodyFields, services: APIServices) throws -> JobWork {
        var f = fields
        let env = services.env
        switch kind {
        case "sweep":
            let (study, symbol, params) = try studyFields(&f, services: services)
            let metric = try f.metric()
            let cap = try f.int("max") ?? Studies.gridCap
            let sample = try f.int("random")
            try f.finish()
            let request = try study.options.request(study.strategy, metric: metric)
            let ranges = try Studies.ranges(params, strategy: study.strategy)
            // The grid against the cap, now rather than when the job runs.
            let grid = Studies.gridSize(ranges)
            if min(grid, sample ?? grid) > cap {
                throw APIProblem(
                    .badRequest,
                    "the grid has \(BacktestRunner.gridSizeText(grid)) combinations, over 'max' (\(cap)) — narrow "
                        + "the ranges, raise 'max' or give 'random'")
            }
            return { control in
                let history = try services.history(symbol)
                let sweep = try Studies.sweep(
                    request, ranges: ranges, daily: history.daily, latestClosed: services.latestClosed, cap: cap,
                    sample: sample, cancellation: control.cancellation,
                    executor: Workers.reporting(
                        total: min(Studies.gridSize(ranges), sample ?? Int.max), control.progress))
                return StudyJSON.sweep(sweep, ranked: Studies.ranked(sweep))
            }
        case "walkforward":
            let (study, symbol, params) = try studyFields(&f, services: services)
            let metric = try f.metric()
            let inSample = try f.int("in_sample")
            let outOfSample = try f.int("out_of_sample")
            try f.finish()
            let request = try study.options.request(study.strategy, metric: metric)
            let ranges = try Studies.ranges(params, strategy: study.strategy)
            return { control in
                let history = try services.history(symbol)
                let result = try Studies.walkForward(
                    request, ranges: ranges, daily: history.daily, latestClosed: services.latestClosed,
                    inSampleBars: inSample, outOfSampleBars: outOfSample, cancellation: control.cancellation)
                return StudyJSON.walkForward(result)
            }
        case "watchlist_run", "universe_run":
            let name = try f.required("strategy")
            let options = try f.study()
            let params = try f.params()
            let metric = try f.metric("rank_by")
            try f.finish()
            let s = try services.strategy(name)
            let request = try options.request(
                s, parameters: try Studies.parameters(params, strategy: s), metric: metric)
            _ = try Studies.compile(request)
            guard env.databaseExists else { throw AppError.badInput("no data yet — POST /v1/pipeline/refresh first") }
            let watchlist = kind == "watchlist_run"
            return { control in
                try services.withStore { store in
                    let list = watchlist ? try Portfolios.watchlist(env: env, store: store) : nil
                    if watchlist && (list ?? []).isEmpty {
                        throw AppError.badInput("no symbol is stored yet — POST /v1/pipeline/refresh first")
                    }
                    let universe = try store.dailyUniverse(symbols: list)
                    control.progress(0, universe.count)
                    let rows = try Studies.acrossSymbols(
                        request, universe: universe, latestClosed: services.latestClosed,
                        cancellation: control.cancellation)
                    control.progress(universe.count, universe.count)
                    return StudyJSON.acrossSymbols(rows)
                }
            }
        case "portfolio":
            var o = PortfolioOptions(strategy: try f.required("strategy"))
            o.watchlist = try f.bool("watchlist")
            o.symbols = try f.strings("symbols")?.joined(separator: ",")
            o.universe = try f.bool("universe")
            o.minMarketCap = try f.numberText("min_market_cap")
            o.sector = try f.string("sector")
            o.type = try f.string("type")
            o.minPrice = try f.numberText("min_price")
            o.minDollarVolume = try f.numberText("min_dollar_volume")
            o.maxPositions = try f.numberText("max_positions") ?? "10"
            o.metric = try f.metric()
            o.rank = try f.string("rank")
            o.sizing = try f.string("sizing") ?? "equal"
            o.fraction = try f.numberText("fraction")
            o.atr = try f.numberText("atr") ?? "2"
            o.rebalance = try f.int("rebalance")
            o.params = try f.params()
            o.study = try f.study()
            o.walkforward = try f.bool("walkforward")
            o.inSample = try f.int("in_sample") ?? 504
            o.outOfSample = try f.int("out_of_sample") ?? 126
            try f.finish()
            _ = try services.strategy(o.strategy)
            try o.check()
            if o.symbols?.isEmpty == true { throw APIProblem(.badRequest, "'symbols' is empty: name at least one") }
            let options = o
            return { control in
                try options.run(env: env, cancellation: control.cancellation, progress: control.progress).json
            }
        case "refresh":
            let trigger = try f.string("trigger") ?? "api"
            guard trigger == "api" || trigger == "schedule" else {
                throw APIProblem(.badRequest, "'trigger' is api (the default) or schedule")
            }
            let symbols = try f.strings("symbols")
            let backfill = try f.int("backfill")
            let relearn = try f.bool("relearn")
            try f.finish()
            let only = try symbols.map { list in try list.map { try Symbol(typed: $0) } }
            if let backfill, !(1...30).contains(backfill) {
                throw APIProblem(.badRequest, "backfill is a number of years from 1 to 30")
            }
            let request = RefreshRequest(
                trigger: trigger == "schedule" ? .schedule : .api, only: only, backfill: backfill, relearn: relearn,
                ifStale: trigger == "schedule")
            return { control in
                try runRefresh(request, services: services, control: control)
            }
        default:
            throw APIProblem(
                .badRequest, "unknown job kind '\(kind)' — use " + all.map { "'\($0)'" }.joined(separator: ", "))
        }
    }

    /// A refresh through the app's refresh service, its events on the stream; its outcome as
    /// the document.
    static func runRefresh(_ request: RefreshRequest, services: APIServices, control: JobControl) throws -> JSONValue {
        let hub = services.hub
        let monotonic = services.monotonic
        var lastProgress: UInt64 = 0
        let result = RefreshService(env: services.env).run(
            request, cancellation: control.cancellation,
            stop: { control.cancellation.isCancelled ? .cancel : nil },
            events: { event in
                if case .pipeline(.progress(_, let done, let total, _)) = event {
                    control.progress(done, total)
                    // At most four progress events a second reach the stream (a cold start makes
                    // thousands), the last of a stage always.
                    let now = monotonic.uptimeNanoseconds()
                    guard done >= total || now &- lastProgress >= 250_000_000 else { return }
                    lastProgress = now
                }
                hub.publish(refresh: event, job: control.id)
            })
        services.dataChanged()
        if result.exitCode == 3 { throw APIProblem(.conflict, result.error ?? result.summary) }
        if result.exitCode == 2 { throw AppError.badInput(result.error ?? result.summary) }
        let document: JSONValue = .object([
            ("run_id", result.outcome?.runID.map { .number(Double($0)) } ?? .null),
            ("status", .string(result.outcome?.status.rawValue ?? (result.exitCode == 0 ? "up_to_date" : "failed"))),
            ("exit_code", .number(Double(result.exitCode))), ("summary", .string(result.summary)),
            ("error", result.error.map(JSONValue.string) ?? .null),
            ("alerts", .array((result.outcome?.newAlerts ?? []).map(AlertService.json))),
        ])
        var finished = document
        if case .object(let pairs) = document { finished = .object([("job", .string(control.id))] + pairs) }
        hub.publish("refresh.finished", finished)
        services.alertsFired(result.outcome?.newAlerts ?? [])
        if result.failed { throw AppError.failure(result.error ?? result.summary) }
        return document
    }

    /// The strategy, symbol and sweep parameters every single-symbol study takes.
    static func studyFields(_ f: inout BodyFields, services: APIServices) throws
        -> (study: (strategy: Strategy, options: StudyOptions), symbol: String, params: [String])
    {
        let name = try f.required("strategy")
        let symbol = try f.required("symbol")
        let options = try f.study()
        let params = try f.params()
        let s = try services.strategy(name)
        _ = try services.history(symbol)
        return ((s, options), symbol, params)
    }
}
