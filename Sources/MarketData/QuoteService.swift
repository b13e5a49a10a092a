import Foundation
import TradLyteCore

/// Latest prices, from the cheapest source that is fresh enough: the local cache (within
/// its TTL) → the provider (Polygon: snapshot, then previous close; or the demo market) →
/// the latest stored daily bar. The source is always reported with the quote.
public final class QuoteService {
    public let provider: MarketDataProvider?
    public let store: QuoteStore?
    public let ttl: TimeInterval

    public init(provider: MarketDataProvider?, store: QuoteStore?, ttl: TimeInterval = 60) {
        self.provider = provider
        self.store = store
        self.ttl = ttl
    }

    public struct Result {
        public let quote: Quote
        /// Why a fallback was used, when it was ("provider unreachable: …").
        public let note: String?
        public let fromCache: Bool
    }

    /// - Parameter fresh: skip the cache (an explicit refresh asks the provider again).
    public func quote(_ symbol: Symbol, at now: Date, fresh: Bool = false) throws -> Result {
        // A cached quote counts only when it came from the same kind of source (a DEMO quote
        // must never answer for Polygon, nor the reverse).
        if !fresh, let cached = try store?.cachedQuote(symbol), now.timeIntervalSince(cached.fetchedAt) < ttl,
            cached.fetchedAt <= now,
            (cached.source == .demo) == (provider?.isDemo ?? false)
        {
            return Result(quote: cached, note: nil, fromCache: true)
        }
        var note: String?
        var unknownToProvider = false
        if let provider {
            do {
                if var q = try provider.quote(symbol, at: now) {
                    fillChange(&q)
                    // The quote cache is an optimisation: a quote not kept is fetched again next time.
                    try? store?.saveQuote(q)
                    return Result(quote: q, note: nil, fromCache: false)
                }
            } catch ProviderError.unknownSymbol {
                unknownToProvider = true
            } catch let error as ProviderError {
                note = "\(provider.name) unavailable: \(error)"
            }
        }
        if let store, let local = try localQuote(symbol, store: store, now: now) {
            return Result(quote: local, note: note, fromCache: false)
        }
        if unknownToProvider || note == nil { throw ProviderError.unknownSymbol(symbol.rawValue) }
        throw ProviderError.transport(note!)
    }

    /// A previous-close quote carries no earlier close: the change is taken against the stored
    /// close of the session before it (never close − open); without one it stays unknown.
    func fillChange(_ q: inout Quote) {
        guard q.change == nil, let session = q.session, let store,
            // The previous close is a nicety of the quote; without it the change is not shown.
            let bars = try? store.latestDailyBars(q.symbol, count: 3),
            let before = bars.last(where: { $0.session < session }), before.close > 0
        else { return }
        q.change = q.price - before.close
        q.changePercent = (q.price / before.close - 1) * 100
    }

    func localQuote(_ symbol: Symbol, store: QuoteStore, now: Date) throws -> Quote? {
        let bars = try store.latestDailyBars(symbol, count: 2)
        guard let last = bars.last else { return nil }
        return Quote.endOfDay(symbol, bar: last, previousClose: bars.count > 1 ? bars[0].close : nil, fetchedAt: now)
    }
}
