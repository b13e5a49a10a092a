import Foundation
import TermRender
import TradLyteCore

/// A price shown in the quote panel, with where it came from.
public struct QuoteView: Equatable, Sendable {
    public var price: Double
    public var change: Double?
    public var changePercent: Double?
    public var dayLow: Double?, dayHigh: Double?
    public var volume: Double?
    public var source: String
    public var asOf: Date
    public init(
        price: Double, change: Double?, changePercent: Double?, dayLow: Double?, dayHigh: Double?, volume: Double?,
        source: String, asOf: Date
    ) {
        self.price = price
        self.change = change
        self.changePercent = changePercent
        self.dayLow = dayLow
        self.dayHigh = dayHigh
        self.volume = volume
        self.source = source
        self.asOf = asOf
    }

    /// A quote as the quote pane shows it.
    public init(_ q: Quote, cached: Bool = false) {
        self.init(
            price: q.price, change: q.change, changePercent: q.changePercent, dayLow: q.dayLow, dayHigh: q.dayHigh,
            volume: q.volume,
            source: q.source.rawValue + (q.source == .localEOD ? " \(q.session.map(\.description) ?? "")" : "")
                + (cached ? " (cached)" : ""),
            asOf: q.asOf)
    }
}

/// An indicator drawn over the price (from the registry) with its parameters.
public struct OverlayChoice: Equatable, Sendable {
    public var name: String
    public var parameters: [Double]
    public init(_ name: String, _ parameters: [Double] = []) {
        self.name = name
        self.parameters = parameters
    }
    public var label: String {
        parameters.isEmpty
            ? name.uppercased()
            : "\(name.uppercased())(\(parameters.map { IndicatorSpec.format($0) }.joined(separator: ",")))"
    }
}

/// Everything the UI shows; changed only by `App.update`.
public struct AppState: Sendable {
    public enum Pane: String, Sendable, CaseIterable {
        case chart, quote, backtest, picks, alerts, pipeline, strategies
    }
    public enum Focus: Sendable { case watchlist, main }
    public enum WatchSort: String, Sendable, CaseIterable { case manual, symbol, change, last }
    public enum Overlay: Sendable, Equatable {
        case help(scroll: Int)
        case palette(TextField, selected: Int)
        /// `adding`: Enter adds the pick to the watchlist instead of charting it.
        case search(TextField, selected: Int, adding: Bool)
        /// `/` in a list (trades, picks, alerts): the rows are filtered as you type.
        case filter(TextField)
        /// `$` (or `:account`): cash, commission and slippage for the studies, one row edited.
        case settings(row: Int, TextField)
    }
    public enum Level: Sendable { case info, warn, error }

    // Terminal
    public var width: Int
    public var height: Int
    public var now: Date

    // Data
    public var symbols: [SymbolInfo] = []
    public var series: [String: BarSeries] = [:]
    public var quotes: [String: QuoteView] = [:]
    public var loading: Set<String> = []
    public var latestClosed: Int32 = 0
    public var demo = false
    public var unreadAlerts = 0
    /// The newest session in the store (data freshness).
    public var dataThrough: SessionDate?

    // Watchlist
    public var watchlist: [String] = []
    /// The watchlist as the config file has it, symbols the store does not hold yet included:
    /// they join the list when a refresh brings them, and a save keeps them.
    public var configuredWatchlist: [String] = []
    /// The symbol `d` removed last and where it was (`u` puts it back).
    public var removedSymbol: (symbol: String, index: Int)?
    /// `\` hides the watchlist; `z` gives the focused pane the whole width.
    public var watchlistHidden = false
    public var zoomed = false
    public var selected = 0
    public var sort = WatchSort.manual
    /// The charted symbol (a search can chart a symbol outside the watchlist).
    public var current: String?

    // Chart
    public var pane = Pane.chart
    public var focus = Focus.watchlist
    public var interval = FibInterval.daily
    public var mode = PriceChart.Mode.candles
    public var viewport = Viewport()
    public var crosshair: Int?
    public var overlays: [OverlayChoice] = [OverlayChoice("sma", [20]), OverlayChoice("sma", [50])]
    /// The oscillator pane's indicator: a name from `IndicatorRegistry` placed as an oscillator
    /// (checked where it is set), nil for none.
    public var oscillator: String? = "rsi"
    /// The "fetching a quote…" message on show and the symbol it waits for.
    public var quoteNotice: (symbol: String, text: String)?
    public var showVolume = true
    public var logScale = false

    // Backtest, picks, alerts, pipeline
    public var backtest: BacktestPanel?
    /// A watchlist run, parameter sweep or walk-forward shown in the backtest pane.
    public var study: StudyPanel?
    /// A portfolio backtest shown in the backtest pane (over the study and the single backtest).
    public var portfolio: PortfolioPanel?
    /// A portfolio trade opened on the chart: its symbol, interval and entry/exit sessions.
    public var markedTrade: MarkedTrade?
    /// Cash and costs for `b`, `h`, `f`, `w` and `P` (`:account …`); nil: the strategy's own.
    public var account = AccountSettings()
    /// A trade opened on the chart whose bars were not loaded yet.
    public var focusTrade: TradeFocus?
    /// Backtests trade and measure only bars ending in this range (`:range FROM TO`).
    public var backtestRange: ClosedRange<SessionDate>?
    /// Parameter values applied from a sweep, per strategy (used by its backtests).
    public var parameterOverrides: [String: [String: Double]] = [:]
    /// Strategy ids the backtest pane cycles through (built-in and the user's).
    public var strategies: [String] = []
    public var strategy = "golden_cross"
    public var picks: [ScanPick] = []
    public var pickSelected = 0
    /// Show only this strategy's picks (nil: all).
    public var pickFilter: String?
    public var scanning = false
    /// The picks shown, after the filter.
    public var visiblePicks: [ScanPick] {
        let byStrategy = pickFilter.map { f in picks.filter { $0.strategy == f } } ?? picks
        guard !listFilter.isEmpty else { return byStrategy }
        return byStrategy.filter { p in
            "\(p.symbol.rawValue) \(p.strategy) \(p.sector ?? "") \(info(p.symbol.rawValue)?.name ?? "")"
                .localizedCaseInsensitiveContains(listFilter)
        }
    }
    /// `/` in the picks or alerts pane: only the rows containing this (case-insensitive).
    public var listFilter = ""
    /// The alerts the filter keeps, in order.
    public var visibleAlerts: [Alert] {
        listFilter.isEmpty
            ? alerts
            : alerts.filter {
                "\($0.symbol.rawValue) \($0.session) \($0.message)".localizedCaseInsensitiveContains(listFilter)
            }
    }
    /// Refresh by itself once data is stale after the close (config `auto_refresh`).
    public var autoRefresh = false
    /// The plan has snapshots (delayed or live): during the session the watchlist's LAST is the
    /// latest snapshot, fetched every five minutes, and says so ("DELAYED" over the column).
    public var livePrices = false
    /// When the watchlist's snapshots were last asked for.
    public var watchQuotesAt: Date?
    /// The latest closed session an automatic refresh was already started for.
    public var autoRefreshedFor: Int32?
    public var alerts: [Alert] = []
    public var alertRules: [AlertRule] = []
    public var alertSelected = 0
    public var runs: [RunRecord] = []
    public var stages: [Int64: [StageRecord]] = [:]
    public var runSelected = 0
    /// Selection in the pane's list (trades, picks, alerts, runs).
    public var listSelection: Int {
        get {
            switch pane {
            case .backtest: return backtest?.view == .statistics ? backtest?.statRow ?? 0 : backtest?.selected ?? 0
            case .picks: return pickSelected
            case .alerts: return alertSelected
            case .pipeline: return runSelected
            case .strategies: return composer.selected
            default: return 0
            }
        }
        set {
            switch pane {
            case .backtest where backtest?.view == .statistics: backtest?.statRow = newValue
            case .backtest: backtest?.selected = newValue
            case .picks: pickSelected = newValue
            case .alerts: alertSelected = newValue
            case .pipeline: runSelected = newValue
            case .strategies: composer.selected = newValue
            default: break
            }
        }
    }
    public var listCount: Int {
        switch pane {
        case .backtest:
            if backtest?.view == .statistics { return backtest?.result?.stats.entries.count ?? 0 }
            return (backtest?.order.count ?? 0) + (backtest?.shownOpenTrade == nil ? 0 : 1)
        case .picks: return visiblePicks.count
        case .alerts: return visibleAlerts.count
        case .pipeline: return runs.count
        case .strategies: return composer.entries.count
        default: return 0
        }
    }

    /// Commands run from the palette, oldest first (↑ above the first match, or Ctrl-P/Ctrl-N),
    /// and the one recalled.
    public var paletteHistory: [String] = []
    public var historyIndex: Int?
    /// Idle ticks (the UI loop's polls with no input); every 20th asks whether another process
    /// changed the data.
    public var idleTicks = 0
    /// `idleTicks` when the last event came (an info message expires 50 idle ticks later).
    public var messageTick = 0

    // Strategy composer, and a preview of a draft's signals on the chart
    public var composer = ComposerPanel()
    public var preview: SignalPreview?
    /// The backtest trade opened on the chart (Enter in the trade list): its marks alone show.
    public var chartTrade: Int?

    // Manual refresh
    public var refresh: RefreshPanel?
    /// The plan of the next run (missing sessions, calls, ETA), as lines.
    public var plan: [String] = []
    /// A failed run's summary, shown on every screen until acknowledged with `!`.
    public var failedBanner: String?

    // Chrome
    public var overlay: Overlay?
    public var message: (text: String, level: Level)?
    public var themeName = "default"
    public var availableThemes: [String] = []
    public var quit = false
    /// `q` was pressed while a refresh runs: the next `q` (or `y`) cancels it and quits.
    public var confirmingQuit = false
    /// Bumped on every change that needs a redraw.
    public var revision = 0

    public init(width: Int, height: Int, now: Date) {
        self.width = width
        self.height = height
        self.now = now
    }

    public var currentSymbol: String? {
        current ?? (watchlist.indices.contains(selected) ? sortedWatchlist[selected] : nil)
    }

    public func info(_ symbol: String) -> SymbolInfo? { symbols.first { $0.symbol.rawValue == symbol } }

    /// The watchlist in display order.
    public var sortedWatchlist: [String] {
        switch sort {
        case .manual: return watchlist
        case .symbol: return watchlist.sorted()
        case .change: return watchlist.sorted { (dayChange($0)?.1 ?? -.infinity) > (dayChange($1)?.1 ?? -.infinity) }
        case .last:
            return watchlist.sorted { (series[$0]?.close.last ?? -.infinity) > (series[$1]?.close.last ?? -.infinity) }
        }
    }

    /// A snapshot newer than the stored history, for the watchlist's LAST (nil: the close).
    public func sessionQuote(_ symbol: String) -> QuoteView? {
        guard let q = quotes[symbol], q.source.hasPrefix("delayed") || q.source.hasPrefix("live") else { return nil }
        guard let index = series[symbol]?.sessionIndex.last else { return q }
        let last = TradingCalendar.nyse.sessions[Int(index)]
        return NewYorkTime.local(at: q.asOf).date > last ? q : nil
    }

    /// Last close's change and change % against the previous session.
    public func dayChange(_ symbol: String) -> (Double, Double)? {
        guard let s = series[symbol], s.count >= 2 else { return nil }
        let last = s.close[s.count - 1]
        let prev = s.close[s.count - 2]
        return (last - prev, prev != 0 ? (last - prev) / prev * 100 : 0)
    }

    /// Bars of the current symbol at the current interval. Frames reuse the last resample until
    /// the symbol, the interval, the latest closed session or the daily series changes.
    public func bars(_ symbol: String? = nil) -> [FibBar] {
        guard let sym = symbol ?? currentSymbol, let s = series[sym], s.count > 0 else { return [] }
        let key = ResampledBars.Key(symbol: sym, interval: interval, latestClosed: latestClosed)
        return resampled.withLock { cached in
            // A series left as it was shares its storage with the cached copy: an O(1) compare.
            if let cached, cached.key == key, cached.series == s { return cached.bars }
            let bars = FibResampler.resample(s, interval: interval, latestClosed: latestClosed)
            cached = ResampledBars(key: key, series: s, bars: bars)
            return bars
        }
    }

    /// The last resample `bars` made, shared by every copy of the state.
    let resampled = Locked<ResampledBars?>(nil)
}

/// One symbol's daily series resampled to one interval, and what it was resampled from.
struct ResampledBars: Sendable {
    struct Key: Equatable, Sendable {
        var symbol: String
        var interval: FibInterval
        var latestClosed: Int32
    }
    var key: Key
    var series: BarSeries
    var bars: [FibBar]
}

/// A backtest shown in the backtest pane: what was asked, and its result when it lands.
public struct BacktestPanel: Sendable {
    public enum TradeSort: String, Sendable, CaseIterable {
        case entry
        case returnPct = "return"
        case pnl = "p&l"
        case bars
    }
    public var strategy: String
    public var symbol: String
    public var interval: FibInterval
    public var range: ClosedRange<SessionDate>?
    /// Results of older requests (superseded or cancelled) are ignored.
    public var generation: Int
    public var running: Bool
    public var cancelled = false
    public var result: BacktestResult?
    public var error: String?
    public var selected = 0
    /// The readout cursor on the equity curve and drawdown (←→; nil: none).
    public var day: Int?
    public var sort = TradeSort.entry
    /// The parameter values the backtest ran with (the applied ones; the rest at their defaults).
    public var parameters: [String: Double] = [:]
    /// What the pane shows; below 100 columns the statistics and the full trade list have a view
    /// of their own (`v` cycles).
    public enum View: String, Sendable, CaseIterable {
        case overview = "the equity curve and trades"
        case statistics = "the statistics"
        case trades = "the trade list"
    }
    public var view = View.overview
    /// The statistics view's selected row (it scrolls).
    public var statRow = 0

    public init(strategy: String, symbol: String, interval: FibInterval, generation: Int) {
        self.strategy = strategy
        self.symbol = symbol
        self.interval = interval
        self.generation = generation
        running = true
    }

    /// `/`: only the trades whose dates, side or exit reason contain this (case-insensitive).
    public var filter = ""

    /// Whether the `/` filter keeps `t` (its dates, side and exit reason; "open" for the open trade).
    public func passes(_ t: BacktestTrade, open: Bool = false) -> Bool {
        let exit = open ? "open" : "\(t.exitSession) \(t.exitReason.rawValue)"
        return filter.isEmpty
            || "\(t.entrySession) \(exit) \(t.isLong ? "long" : "short")".localizedCaseInsensitiveContains(filter)
    }

    /// The open trade, when the filter keeps it.
    public var shownOpenTrade: BacktestTrade? { result?.openTrade.flatMap { passes($0, open: true) ? $0 : nil } }

    /// Trade indexes in display order (those the filter keeps).
    public var order: [Int] {
        guard let trades = result?.trades else { return [] }
        let idx = trades.indices.filter { passes(trades[$0]) }
        switch sort {
        case .entry: return idx
        case .returnPct: return idx.sorted { trades[$0].returnFraction > trades[$1].returnFraction }
        case .pnl: return idx.sorted { trades[$0].pnl > trades[$1].pnl }
        case .bars: return idx.sorted { trades[$0].barsHeld > trades[$1].barsHeld }
        }
    }
}

/// A study over many backtests: the strategy across the watchlist, a parameter sweep (with a
/// heat map for two parameters), or a walk-forward.
public struct StudyPanel: Sendable {
    public enum Kind: Equatable, Sendable {
        case watchlist([String])
        case sweep
        case walkForward
        public var title: String {
            switch self {
            case .watchlist: "watchlist run"
            case .sweep: "parameter sweep"
            case .walkForward: "walk-forward"
            }
        }
    }
    public enum Outcome: Sendable {
        case watchlist([BacktestRunner.SymbolRow])
        case sweep(BacktestRunner.Sweep)
        case walkForward(BacktestRunner.WalkForward)
    }
    public var kind: Kind
    public var strategy: String
    public var symbol: String
    public var interval: FibInterval
    /// The parameter values applied when it started (a sweep varies the rest) and the date range.
    public var parameters: [String: Double] = [:]
    public var range: ClosedRange<SessionDate>?
    public var generation: Int
    public var running = true
    public var outcome: Outcome?
    public var error: String?
    /// The statistic a sweep's heat map (and "best") shows; `m` cycles it.
    public var metric = BacktestRunner.Metric.sharpe
    /// Selected row (watchlist, walk-forward) or heat-map cell.
    public var row = 0
    public var column = 0
    /// Which pair of swept parameters the heat map shows (`x` cycles, with three or more).
    public var pair = 0

    /// The heat map's grid for the current pair and metric (a sweep of two or more parameters).
    public var grid: SweepGrid? {
        guard case .sweep(let sweep)? = outcome else { return nil }
        return SweepGrid(sweep, pair: pair, metric: metric)
    }

    /// "fast=20 slow=150" for the applied parameter values.
    public var parameterText: String {
        parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\(IndicatorSpec.format($0.value))" }
            .joined(separator: " ")
    }

    public init(kind: Kind, strategy: String, symbol: String, interval: FibInterval, generation: Int) {
        self.kind = kind
        self.strategy = strategy
        self.symbol = symbol
        self.interval = interval
        self.generation = generation
    }
}

/// One strategy over a universe with one account (`P` in the backtest pane or the composer).
public struct PortfolioPanel: Sendable {
    public enum Universe: Sendable, Equatable {
        case watchlist([String])
        case stored
        public var title: String {
            switch self {
            case .watchlist(let list): "the watchlist (\(list.count))"
            case .stored: "every stored symbol"
            }
        }
    }
    public var strategy: String
    public var universe: Universe
    public var maxPositions: Int
    public var generation: Int
    public var running = true
    public var cancelled = false
    public var progress: (done: Int, total: Int)?
    public var result: PortfolioBacktester.Result?
    public var error: String?
    /// Selected trade (closed ones, newest first, then the open ones).
    public var selected = 0
    /// The bar whose holdings are listed (the last unless moved with ←/→).
    public var day: Int?
    /// `v`: the statistics table over the whole pane (at any width).
    public var showStatistics = false

    public init(strategy: String, universe: Universe, maxPositions: Int, generation: Int) {
        self.strategy = strategy
        self.universe = universe
        self.maxPositions = maxPositions
        self.generation = generation
    }

    /// The trades as listed: closed ones newest first, then those still open.
    public var listed: [(trade: PortfolioBacktester.Trade, open: Bool)] {
        guard let r = result else { return [] }
        return r.trades.reversed().map { ($0, false) } + r.openTrades.map { ($0, true) }
    }
}

/// A trade drawn on a symbol's chart: entry (and exit) by last session.
/// The account settings the UI's studies use instead of the strategy's own (`:account cash 25000`,
/// `:account commission 0.001`, `:account slippage 5`, `:account clear`), checked as the CLI's
/// `--cash`, `--commission` and `--slippage` are, and named in every result's title.
public struct AccountSettings: Sendable, Equatable {
    public var cash: Double?
    public var commission: Double?
    public var slippage: Double?
    public init(cash: Double? = nil, commission: Double? = nil, slippage: Double? = nil) {
        self.cash = cash
        self.commission = commission
        self.slippage = slippage
    }
    public var isDefault: Bool { cash == nil && commission == nil && slippage == nil }

    /// The settings popup's rows: the `:account` word, its label and the value as typed.
    public static let fields: [(name: String, label: String)] = [
        ("cash", "Cash"), ("commission", "Commission (0.001 = 0.1%)"), ("slippage", "Slippage (bps)"),
    ]
    public func value(_ field: String) -> Double? {
        switch field {
        case "cash": return cash
        case "commission": return commission
        default: return slippage
        }
    }

    /// Whether `value` is allowed for `field` ("cash", "commission", "slippage"): the CLI's
    /// `--cash`, `--commission` and `--slippage` limits, for `:account` and the remembered state.
    public static func allows(_ field: String, _ value: Double) -> Bool {
        switch field {
        case "cash": return value > 0 && value <= 1e15
        case "commission": return value >= 0 && value < 0.1
        case "slippage": return value >= 0 && value <= 1000
        default: return false
        }
    }
    /// "cash 25000 · commission 0.1% · slippage 5 bps" for titles (nil when all are the strategy's).
    public var title: String? {
        var parts: [String] = []
        if let cash { parts.append("cash \(NumberText.shortest(cash))") }
        if let commission { parts.append("commission \(NumberText.shortest(commission * 100))%") }
        if let slippage { parts.append("slippage \(NumberText.shortest(slippage)) bps") }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }
}

/// A trade the chart should centre on, by its sessions (its bars differ between a backtest over a
/// `:range` and the chart's whole history), applied once the symbol's bars are loaded.
public struct TradeFocus: Sendable, Equatable {
    public var symbol: String
    public var interval: FibInterval
    /// The last sessions of the entry and exit bars (exit nil: still open).
    public var entry: Int32
    public var exit: Int32?
}

public struct MarkedTrade: Sendable, Equatable {
    public var symbol: String
    public var interval: FibInterval
    public var entry: Int32
    public var exit: Int32?
    public var long: Bool
}

/// A draft's signals shown on the chart: entries and rule exits by bar (last session).
public struct SignalPreview: Sendable, Equatable {
    public var symbol: String
    public var interval: FibInterval
    public var entries: [Int32]
    public var exits: [Int32]
    /// Bars where the setup holds (shaded on the chart).
    public var setup: [Int32]
    public var buy: Bool
}

/// A manual refresh in progress (or just finished): stages, progress and log lines.
public struct RefreshPanel: Sendable {
    public struct Stage: Sendable, Equatable {
        public var name: String
        public var status: String
        public var done = 0, total = 0
        public var eta: Double?
        public var seconds: Double?
        public var detail = ""
    }
    public var running = true
    public var cancelRequested = false
    public var stages: [Stage] = []
    public var log: [String] = []
    public var summary: String?
    public var failed = false

    mutating func stage(_ name: String) -> Int {
        if let i = stages.firstIndex(where: { $0.name == name }) { return i }
        stages.append(Stage(name: name, status: "waiting"))
        return stages.count - 1
    }

    mutating func append(_ line: String) {
        log.append(line)
        if log.count > 200 { log.removeFirst(log.count - 200) }
    }
}

/// Work the UI asks the app to do; results come back as events.
public enum Effect: Equatable, Sendable {
    case loadSeries([String])
    case fetchQuote(String)
    /// The latest snapshots of these symbols, in the background, for the watchlist's LAST.
    case watchQuotes([String])
    /// `r`: a quote from the provider even when the cached one is still fresh.
    case refreshQuote(String)
    /// `confirm`: say when it is saved (the palette's retry; other changes say what changed).
    case saveWatchlist([String], confirm: Bool = false)
    /// A portfolio backtest of the strategy over `universe` (nil: every stored symbol).
    case runPortfolio(
        strategy: String, universe: [String]?, maxPositions: Int, parameters: [String: Double],
        range: ClosedRange<SessionDate>?, generation: Int)
    case cancelPortfolio(generation: Int)
    /// Writes the result the pane shows — backtest, sweep, walk-forward, watchlist run or
    /// portfolio — as the CLI's JSON document plus CSV tables (`e`).
    case exportShown
    case setTheme(String)
    case runBacktest(
        strategy: String, symbol: String, interval: FibInterval, parameters: [String: Double],
        range: ClosedRange<SessionDate>?,
        generation: Int)
    case runStudy(
        StudyPanel.Kind, strategy: String, symbol: String, interval: FibInterval, parameters: [String: Double],
        range: ClosedRange<SessionDate>?, generation: Int)
    /// Stops a running backtest or study (Esc, or a newer request superseding it): no further
    /// backtest of it starts, so its cores are free within milliseconds.
    case cancelBacktest(generation: Int)
    case cancelStudy(generation: Int)
    case loadPicks
    case loadAlerts
    case markAlertsRead([Int64]?)
    case addAlertRule(AlertRule)
    case removeAlertRule(Int64)
    case loadRuns
    case startRefresh
    case cancelRefresh
    case loadPlan
    /// Re-read what a finished refresh changed: symbols, freshness, loaded series, alerts.
    case reloadData([String])
    case loadStrategies
    /// Re-read the screens when another process (cron, the CLI) has committed new data.
    case checkForNewData
    /// Re-runs the scan for the latest session and stores its picks.
    case runScan
    /// Writes a validated strategy file (the app validates again before writing).
    case saveStrategy(id: String, text: String)
}

/// What reaches `App.update`.
public enum AppEvent: Sendable {
    case input(InputEvent)
    case tick(Date)
    case seriesLoaded([String: BarSeries], failures: [String: String])
    case quoteLoaded(String, Result<QuoteView, EffectFailure>)
    /// The watchlist's snapshots (quietly: a failure leaves LAST at the stored close);
    /// `snapshots` false: the plan has none, so no more are asked for.
    case watchQuotesLoaded([String: QuoteView], snapshots: Bool)
    case themeChanged(String, error: String?)
    case backtestFinished(generation: Int, Result<BacktestResult, EffectFailure>)
    case studyFinished(generation: Int, Result<StudyPanel.Outcome, EffectFailure>)
    case portfolioProgress(generation: Int, done: Int, total: Int)
    case portfolioFinished(generation: Int, Result<PortfolioBacktester.Result, EffectFailure>)
    case picksLoaded([ScanPick])
    case alertsLoaded([Alert], rules: [AlertRule], unread: Int)
    case runsLoaded([RunRecord], stages: [Int64: [StageRecord]])
    case failed(String)
    case refreshStage(name: String, status: String, seconds: Double?, detail: String)
    case refreshProgress(stage: String, done: Int, total: Int, eta: Double?)
    case refreshLog(String)
    case refreshFinished(summary: String, failed: Bool, cancelled: Bool)
    case planLoaded([String])
    case dataReloaded(
        symbols: [SymbolInfo], series: [String: BarSeries], latestClosed: Int32, dataThrough: SessionDate?, unread: Int)
    case strategiesLoaded([ComposerPanel.Entry])
    case strategySaved(id: String, error: String?)
}

/// Why an effect's work failed (a quote, a backtest, a study), in the words the footer shows.
public struct EffectFailure: Error, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
