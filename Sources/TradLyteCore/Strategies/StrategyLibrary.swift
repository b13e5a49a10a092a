/// The strategies that ship inside the binary. Each is an ordinary strategy file (so
/// `tradlyte strategy new NAME --from golden_cross` copies one to edit) plus a paragraph
/// of documentation.
public enum StrategyLibrary {
    public struct Entry: Sendable {
        /// File-style identifier: `golden_cross`.
        public let id: String
        public let documentation: String
        public let strategy: Strategy
    }

    public static func named(_ id: String) -> Entry? {
        let key = id.lowercased().replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
        return all.first { $0.id == key || $0.strategy.name.lowercased() == id.lowercased() }
    }

    public static let all: [Entry] = sources.map { id, doc, json in
        // The sources are tested to parse; a failure here is a programming error.
        do {
            return Entry(id: id, documentation: doc, strategy: try Strategy.parse(json))
        } catch {
            preconditionFailure("built-in strategy \(id) does not parse: \(error)")
        }
    }

    static let sources: [(String, String, String)] = [
        (
            "golden_cross",
            """
            Trend following on two simple moving averages. Buys when the fast SMA (50 sessions) crosses above the slow SMA (200): the "golden cross" that marks a new long-term up-trend. Sells on the opposite "death cross". Slow to react by design: it sits out chop and catches the big trends, at the price of late exits.
            """,
            """
            {
              "schema": "tradlyte.strategy/1",
              "name": "Golden Cross",
              "description": "SMA 50 crosses above SMA 200; exit on the death cross.",
              "interval": 1,
              "direction": "long",
              "parameters": {
                "fast": {"default": 50, "min": 10, "max": 100, "step": 5},
                "slow": {"default": 200, "min": 100, "max": 300, "step": 10}
              },
              "trigger": {"rule": "sma($fast) crosses_above sma($slow)", "action": "buy"},
              "exit": {"rule": "sma($fast) crosses_below sma($slow)"}
            }
            """
        ),
        (
            "rsi_reversion",
            """
            Mean reversion inside an up-trend. The setup requires the close above its 200-session SMA; the trigger is RSI(14) climbing back above 30 after an oversold dip. It exits when RSI(14) rises above 70 or after 10 bars, whichever comes first, so a failed bounce does not turn into a long hold.
            """,
            """
            {
              "schema": "tradlyte.strategy/1",
              "name": "RSI Reversion",
              "description": "RSI(14) crosses above 30 while close > SMA 200; exit RSI > 70 or after 10 bars.",
              "interval": 1,
              "direction": "long",
              "parameters": {
                "period": {"default": 14, "min": 2, "max": 30, "step": 1},
                "oversold": {"default": 30, "min": 10, "max": 45, "step": 5},
                "overbought": {"default": 70, "min": 55, "max": 90, "step": 5},
                "trend": {"default": 200, "min": 50, "max": 300, "step": 25}
              },
              "setup": {"rule": "close > sma($trend)"},
              "trigger": {"rule": "rsi($period) crosses_above $oversold", "action": "buy"},
              "exit": {"rule": "rsi($period) > $overbought", "max_bars": 10}
            }
            """
        ),
        (
            "macd_crossover",
            """
            Momentum with the classic MACD (12, 26, 9). Buys when the MACD line crosses above its signal line and sells when it crosses back below. Quick to react; in sideways markets it trades often, so compare its statistics with and without a trend setup.
            """,
            """
            {
              "schema": "tradlyte.strategy/1",
              "name": "MACD Crossover",
              "description": "MACD line crosses above its signal; exit when it crosses below.",
              "interval": 1,
              "direction": "long",
              "parameters": {
                "fast": {"default": 12, "min": 4, "max": 20, "step": 1},
                "slow": {"default": 26, "min": 21, "max": 50, "step": 1},
                "signal": {"default": 9, "min": 3, "max": 15, "step": 1}
              },
              "trigger": {"rule": "macd($fast, $slow, $signal) crosses_above macd($fast, $slow, $signal).signal", "action": "buy"},
              "exit": {"rule": "macd($fast, $slow, $signal) crosses_below macd($fast, $slow, $signal).signal"}
            }
            """
        ),
        (
            "bollinger_breakout",
            """
            Volatility breakout. Buys when the close breaks above the upper Bollinger Band (20 sessions, 2 standard deviations), betting that expansion continues; exits when the close falls back below the middle band, with a stop two ATRs below the entry.
            """,
            """
            {
              "schema": "tradlyte.strategy/1",
              "name": "Bollinger Breakout",
              "description": "Close breaks above the upper band (20, 2); exit below the middle band or at a 2 ATR stop.",
              "interval": 1,
              "direction": "long",
              "parameters": {
                "period": {"default": 20, "min": 10, "max": 50, "step": 5},
                "k": {"default": 2, "min": 1.5, "max": 3, "step": 0.25}
              },
              "trigger": {"rule": "close crosses_above bb($period, $k).upper", "action": "buy"},
              "exit": {"rule": "close crosses_below bb($period, $k).middle", "stop_loss": {"atr": 2, "period": 14}}
            }
            """
        ),
        (
            "donchian_breakout",
            """
            The turtle traders' channel breakout (system 1). Buys when the close exceeds the highest high of the previous 20 sessions and exits when it falls below the lowest low of the previous 10. Comparing with the previous bars' channel ([1]) keeps today's bar from moving its own threshold.
            """,
            """
            {
              "schema": "tradlyte.strategy/1",
              "name": "Donchian Breakout",
              "description": "Turtle-style: close above the prior 20-session high; exit below the prior 10-session low.",
              "interval": 1,
              "direction": "long",
              "parameters": {
                "entry": {"default": 20, "min": 10, "max": 60, "step": 5},
                "exit": {"default": 10, "min": 5, "max": 30, "step": 5}
              },
              "trigger": {"rule": "close crosses_above highest(high, $entry)[1]", "action": "buy"},
              "exit": {"rule": "close < lowest(low, $exit)[1]"}
            }
            """
        ),
        (
            "vegas_channel",
            """
            Vegas tunnel trend following. The setup holds while both EMA 8 and EMA 13 ride above the 144/169 EMA tunnel; the trigger is the close crossing back above EMA 8 after a pullback. It exits when the close falls below both EMA 13 and the tunnel, which lets a trend run through ordinary pullbacks.
            """,
            """
            {
              "schema": "tradlyte.strategy/1",
              "name": "Vegas Channel",
              "description": "EMA 8/13 above the 144/169 tunnel; enter as the close crosses above EMA 8; exit below EMA 13 and the tunnel.",
              "interval": 1,
              "direction": "long",
              "setup": {"rule": "ema(8) > vegas().upper and ema(13) > vegas().upper"},
              "trigger": {"rule": "close crosses_above ema(8)", "action": "buy"},
              "exit": {"rule": "close < ema(13) and close < vegas().lower"}
            }
            """
        ),
    ]
}
