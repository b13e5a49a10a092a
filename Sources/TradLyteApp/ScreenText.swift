import Foundation
import TermRender
import TradLyteCore
import TradLyteUI

/// The screens `tradlyte render` prints (and `UISession.open` opens): one list for the help
/// text, the argument's validation and completion.
package enum HeadlessScreen: String, CaseIterable, Sendable {
    case watchlist, chart, quote, help, backtest, trades, sweep, walkforward
    case watchlistRun = "watchlist-run"
    case portfolio, picks, alerts, pipeline, strategies
}

/// A headless frame's settings (`tradlyte render`, `tradlyte chart`).
package struct ScreenRequest {
    package var symbol: String?
    package var interval: String?
    package var width: Int
    package var height: Int
    package var theme: String?
    package var ascii: Bool

    package init(symbol: String?, interval: String?, width: Int, height: Int, theme: String?, ascii: Bool) {
        self.symbol = symbol
        self.interval = interval
        self.width = width
        self.height = height
        self.theme = theme
        self.ascii = ascii
    }
}

/// The UI's screens as text without a terminal: `tradlyte render` and `tradlyte chart`.
package enum ScreenText {
    /// The chart's drawing styles (`--mode`).
    package static let chartModes = PriceChart.Mode.allCases.map(\.rawValue)

    /// A UI screen opened by name with its work done in-line.
    package static func render(_ screen: String, strategy: String?, _ request: ScreenRequest) throws -> Buffer {
        try UISession.check(screen: screen)
        let env = try AppEnvironment.load()
        let session = try UISession(env: env, themeFlag: request.theme)
        var state = try session.headless(width: request.width, height: request.height)
        try apply(request, to: &state, session)
        try session.open(screen, strategy: strategy, &state)
        return Screens.render(state, Screens.Context(theme: session.theme, glyphs: request.ascii ? .ascii : .unicode))
    }

    /// A symbol's chart alone: candles (or OHLC bars, or a line), the date axis and volume.
    package static func chart(mode: String, _ request: ScreenRequest) throws -> Buffer {
        let (cols, rows) = (request.width, request.height)
        guard rows >= 6, rows <= 500, cols >= 30, cols <= 1000 else {
            throw AppError.badInput("--rows must be 6–500 and --cols 30–1000")
        }
        guard let m = PriceChart.Mode(rawValue: mode) else {
            throw AppError.badInput("--mode must be \(chartModes.joined(separator: ", "))")
        }
        let env = try AppEnvironment.load()
        let session = try UISession(env: env, themeFlag: request.theme)
        var (state, _) = try session.start(width: cols, height: rows)
        try apply(request, to: &state, session)
        state.mode = m
        let ctx = Screens.Context(theme: session.theme, glyphs: request.ascii ? .ascii : .unicode)
        let area = Rect(x: 0, y: 0, width: cols, height: rows)
        guard let model = Screens.chartModel(state, ctx, columns: cols - PriceChart.axisWidth) else {
            throw AppError.badInput(
                "no bars for \((request.symbol ?? "").uppercased()) — run `tradlyte refresh` or import its history")
        }
        var buffer = Buffer(width: cols, height: rows)
        let volume = rows >= 12 ? max(2, rows / 6) : 0
        let parts = Layout.split(area, .vertical, [.fill, .length(1), .length(volume)])
        let chart = Screens.priceChart(model, state, ctx)
        chart.render(parts[0], &buffer)
        DateAxis(labels: model.labels, columnsPerBar: chart.columnsPerBar, style: session.theme.muted).render(
            parts[1], &buffer)
        if volume > 0 {
            Histogram(
                values: model.merged.volume, styles: [session.theme["volume"]], columnsPerBar: chart.columnsPerBar,
                glyphs: ctx.glyphs
            )
            .render(parts[2].inset(right: PriceChart.axisWidth), &buffer)
        }
        return buffer
    }

    /// Applies a request's symbol and interval to a fresh state.
    static func apply(_ request: ScreenRequest, to state: inout AppState, _ session: UISession) throws {
        if let text = request.symbol {
            let sym = try session.store.resolveSymbol(text).rawValue
            guard state.info(sym) != nil else {
                throw AppError.badInput(
                    "unknown symbol '\(sym)' — it is not in the store; `tradlyte status` shows what is loaded")
            }
            if let i = state.sortedWatchlist.firstIndex(of: sym) { state.selected = i } else { state.current = sym }
            session.run([.loadSeries([sym])], &state, synchronous: true)
        }
        if let text = request.interval {
            do { state.interval = try FibInterval(parsing: text) } catch {
                throw AppError.badInput("--interval: \(error)")
            }
        }
    }

    /// Prints a frame: ANSI colours as they are, or plain text with trailing blanks trimmed.
    package static func emit(_ buffer: Buffer, ansi: Bool) {
        if ansi {
            FileHandle.standardOutput.write(Data(buffer.ansiText.utf8))
        } else {
            TradLyteApp.emit(
                buffer.textRows.map { line in String(line.reversed().drop { $0 == " " }.reversed()) }.joined(
                    separator: "\n"))
        }
    }
}
