import Foundation
import Testing
import TradLyteCore
import TradLyteTestSupport

@testable import MarketData

@Suite struct DemoMarketTests {
    let cal = TradingCalendar.nyse
    static let now = ISO8601DateFormatter().date(from: "2026-11-25T23:00:00Z")!
    let market = DemoMarket(clock: { DemoMarketTests.now })

    @Test func servesFortyFourTickersAcrossSectorsWithMetadata() throws {
        let symbols = try market.symbols()
        #expect(symbols.count == 44)
        #expect(symbols.filter { $0.type == "ETF" }.count == 2)
        #expect(Set(symbols.compactMap(\.industry)).count >= 10)
        #expect(symbols.allSatisfy { ($0.name ?? "").hasSuffix("(DEMO)") && ($0.marketCap ?? 0) > 0 })
        let zeph = try #require(symbols.first { $0.symbol == DemoMarket.delistedSymbol })
        #expect(!zeph.active && zeph.delistDate == DemoMarket.delistDate)
    }

    @Test func tenYearsOfValidBarsUpToTheLatestClosedSession() throws {
        let acme = try Symbol("ACME")
        let bars = try market.dailyBars(
            acme, from: SessionDate(year: 2000, month: 1, day: 1)!, to: SessionDate(year: 2030, month: 1, day: 1)!)
        let expectedLast = try SessionDate(iso: "2026-11-25")
        #expect(bars.last?.session == expectedLast)
        #expect(bars.count > 2500 && bars.count < 2530)
        #expect(bars.allSatisfy { $0.problem == nil && cal.isSession($0.session) })
        // Deterministic: another instance gives the same bars.
        let again = try DemoMarket(clock: { DemoMarketTests.now }).dailyBars(
            acme, from: bars[100].session, to: bars[120].session)
        #expect(again == Array(bars[100...120]))
        // Realistic: daily returns show volatility clustering and some large gaps.
        let returns = zip(bars.dropFirst(), bars).map { log($0.close / $1.close) }
        let big = returns.filter { abs($0) > 0.05 }.count
        #expect(big > 5 && big < 300)
    }

    @Test func groupedDailyHasEveryListedTickerAndNothingOnHolidays() throws {
        let day = try market.groupedDaily(try SessionDate(iso: "2024-03-15"))
        #expect(day.count == 43)
        #expect(try market.groupedDaily(try SessionDate(iso: "2024-03-29")).isEmpty)  // Good Friday
        #expect(try market.groupedDaily(try SessionDate(iso: "2024-06-01")).isEmpty)  // Saturday
        #expect(day[DemoMarket.delistedSymbol] == nil)  // delisted 2023
        #expect(try market.groupedDaily(try SessionDate(iso: "2026-11-27")).isEmpty)  // not closed yet at the clock
    }

    @Test func theSplitIsServedAdjustedOnceEffective() throws {
        let before = DemoMarket(clock: { ISO8601DateFormatter().date(from: "2021-07-30T23:00:00Z")! })
        let after = DemoMarket(clock: { DemoMarketTests.now })
        let day = try SessionDate(iso: "2021-07-29")
        let raw = try #require(try before.dailyBars(DemoMarket.splitSymbol, from: day, to: day).first)
        let adjusted = try #require(try after.dailyBars(DemoMarket.splitSymbol, from: day, to: day).first)
        #expect(abs(adjusted.close - raw.close / 4) < 0.0002)
        #expect(try before.splits(since: day).isEmpty)
        #expect(
            try after.splits(since: day) == [
                Split(symbol: DemoMarket.splitSymbol, date: DemoMarket.splitDate, from: 1, to: 4)
            ])
        // No jump across the split in the adjusted series.
        let around = try after.dailyBars(DemoMarket.splitSymbol, from: day, to: try SessionDate(iso: "2021-08-04"))
        for (a, b) in zip(around, around.dropFirst()) { #expect(abs(log(b.close / a.close)) < 0.5) }
    }

    @Test func quotesAreTheLatestCloseLabelledDemo() throws {
        let q = try #require(try market.quote(try Symbol("TERA"), at: Self.now))
        let expected = try SessionDate(iso: "2026-11-25")
        #expect(q.source == .demo && q.session == expected)
        #expect(throws: ProviderError.unknownSymbol("NOPE")) { try market.quote(try Symbol("NOPE"), at: Self.now) }
    }
}
