import Foundation
import TradLyteCore

/// A backtest written to files (the UI's `e`): `<name>.json` is what `tradlyte backtest --json`
/// prints, `<name>-trades.csv` every trade (the open one last, marked `open`) and
/// `<name>-equity.csv` the equity and buy & hold per bar.
package enum BacktestExport {
    /// Writes the three files into `directory` (created when missing); returns their paths.
    package static func write(
        _ result: BacktestResult, request: StudyRequest, symbol: Symbol, directory: String
    ) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let last = result.lastSessions.last.map { TradingCalendar.nyse.sessions[Int($0)].description } ?? "empty"
        let id = StrategyCatalog.id(for: request.strategy.name)
        let base = directory + "/\(id)-\(symbol.rawValue)-\(result.interval.sessions)d-\(last)"
        let json = StudyJSON.backtest(result, request: request, symbol: symbol).rendered() + "\n"
        var trades = "entry_date,exit_date,side,size,entry_price,exit_price,pnl,return_pct,bars_held,exit_reason\n"
        func line(_ t: BacktestTrade, reason: String) -> String {
            [
                t.entrySession.description, t.exitSession.description, t.isLong ? "long" : "short",
                NumberText.shortest(abs(t.size)), NumberText.shortest(t.entryPrice), NumberText.shortest(t.exitPrice),
                NumberText.shortest(t.pnl), NumberText.shortest(t.returnFraction * 100), "\(t.barsHeld)", reason,
            ].joined(separator: ",") + "\n"
        }
        for t in result.trades { trades += line(t, reason: t.exitReason.rawValue) }
        if let open = result.openTrade { trades += line(open, reason: "open") }
        var equity = "session,equity,buy_and_hold,drawdown_pct\n"
        for i in result.equity.indices {
            let session = TradingCalendar.nyse.sessions[Int(result.lastSessions[i])]
            let hold = i < result.buyAndHold.count ? NumberText.shortest(result.buyAndHold[i]) : ""
            let dd = i < result.drawdown.count ? NumberText.shortest(-result.drawdown[i] * 100) : ""
            equity += "\(session),\(NumberText.shortest(result.equity[i])),\(hold),\(dd)\n"
        }
        let files = [(base + ".json", json), (base + "-trades.csv", trades), (base + "-equity.csv", equity)]
        for (path, text) in files {
            try AtomicFile.replace(path, with: Data(text.utf8), mode: 0o644, what: "the export directory")
        }
        return files.map(\.0)
    }
}
