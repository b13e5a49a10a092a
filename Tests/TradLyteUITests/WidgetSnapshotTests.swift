import Foundation
import TermRender
import Testing
import TradLyteTestSupport

/// Every widget drawn into a sentinel-filled buffer and compared with its golden snapshot.
@Suite struct WidgetSnapshotTests {
    let bull = Style(fg: .rgb(0x4E, 0xC9, 0x8B)), bear = Style(fg: .rgb(0xE0, 0x6C, 0x75)), muted = Style(fg: .index(8))

    @Test func blockWithTitle() {
        var b = sentinelBuffer(24, 5)
        Block(title: "Watchlist · a very long title", style: muted, titleStyle: Style([.bold])).render(
            Rect(x: 1, y: 0, width: 22, height: 4), &b)
        assertSnapshot(b, named: "widget-block")
        var a = sentinelBuffer(12, 3)
        Block(title: "ASCII", style: .plain, glyphs: .ascii).render(a.area, &a)
        assertSnapshot(a, named: "widget-block-ascii")
    }

    @Test func paragraphWrapsAtWordsAndScrolls() {
        var b = sentinelBuffer(16, 4)
        Paragraph(
            lines: [
                [("Fibonacci-session bars of ", .plain), ("3, 5, 8", Style([.bold])), (" and 13 sessions", .plain)],
                [("漢字 wide text wraps too", muted)],
            ], wrap: true, scroll: 1
        ).render(b.area, &b)
        assertSnapshot(b, named: "widget-paragraph")
    }

    @Test func tableAlignsColumnsAndKeepsTheSelectionInView() {
        var b = sentinelBuffer(30, 5)
        let rows: [[(String, Style?)]] = (0..<10).map { i in
            [("SYM\(i)", nil), ("\(100 + i).25", nil), (i % 2 == 0 ? "+1.0%" : "-2.5%", i % 2 == 0 ? bull : bear)]
        }
        Table(
            columns: [
                Table.Column("SYM", width: 6), Table.Column("LAST", width: 8, .right),
                Table.Column("CHG%", width: 7, .right),
            ],
            rows: rows, selected: 7, style: .plain, headerStyle: Style([.bold]), selectedStyle: Style([.reverse])
        ).render(b.area, &b)
        assertSnapshot(b, named: "widget-table")
    }

    @Test func listTabsGaugeSparklineStatusAndTextField() {
        var b = sentinelBuffer(40, 8)
        ListView(
            items: ["golden_cross", "rsi_reversion", "macd_crossover"], selected: 1, style: .plain,
            selectedStyle: Style([.reverse])
        )
        .render(Rect(x: 0, y: 0, width: 20, height: 3), &b)
        Tabs(titles: ["1d", "3d", "5d", "8d"], active: 2, style: muted, activeStyle: Style([.reverse])).render(
            Rect(x: 0, y: 3, width: 40, height: 1), &b)
        Gauge(fraction: 0.4375, label: "fetch 7/16", style: muted, barStyle: bull).render(
            Rect(x: 0, y: 4, width: 20, height: 1), &b)
        Gauge(fraction: 0.5, label: "50%", style: muted, barStyle: bull, glyphs: .ascii).render(
            Rect(x: 20, y: 4, width: 20, height: 1), &b)
        Sparkline(values: [1, 2, 3, 5, 8, 5, 3, 2, 1, .nan, 4], style: bull).render(
            Rect(x: 0, y: 5, width: 12, height: 1), &b)
        var field = TextField("sma(20) crosses_above sma(50)")
        field.apply(.home)
        field.render(Rect(x: 0, y: 6, width: 16, height: 1), &b, style: .plain, cursorStyle: Style([.reverse]))
        StatusLine(left: [(" saved ", bull)], right: "? help · q quit", style: muted).render(
            Rect(x: 0, y: 7, width: 40, height: 1), &b)
        assertSnapshot(b, named: "widget-misc")
    }

    @Test func scrollViewShowsItsPositionWhenContentOverflows() {
        var b = sentinelBuffer(20, 4)
        let lines: [[(String, Style)]] = (1...12).map { [("line \($0)", Style.plain)] }
        let view = ScrollView(content: Paragraph(lines: lines, scroll: 6), scrollbarStyle: muted)
        #expect(view.maxScroll(b.area) == 8)
        view.render(b.area, &b)
        assertSnapshot(b, named: "widget-scrollview")
        var clamped = sentinelBuffer(20, 4)
        ScrollView(content: Paragraph(lines: lines, scroll: 99), scrollbarStyle: muted, glyphs: .ascii).render(
            clamped.area, &clamped)
        #expect(clamped.textRows.first?.hasPrefix("line 9") == true)
    }

    @Test func modalClearsAndFramesACentredArea() {
        var b = sentinelBuffer(30, 9)
        let inner = Modal.frame(
            b.area, width: 20, height: 5, title: "Confirm", style: .plain, borderStyle: Style([.bold]),
            glyphs: .unicode, &b)
        b.put("Quit? y/n", x: inner.x, y: inner.y, style: .plain)
        assertSnapshot(b, named: "widget-modal")
    }

    func chart(_ mode: PriceChart.Mode, glyphs: Glyphs = .unicode, crosshair: Int? = nil, log: Bool = false) -> Buffer {
        let w = walk(40)
        var b = sentinelBuffer(60, 16)
        var c = PriceChart(
            bars: OHLCColumns(open: w.o, high: w.h, low: w.l, close: w.c, volume: w.v), bull: bull, bear: bear,
            axis: muted,
            grid: Style([.dim]), crosshairStyle: Style(fg: .index(4)))
        c.mode = mode
        c.glyphs = glyphs
        c.crosshair = crosshair
        c.logScale = log
        c.partialLast = true
        c.overlays = [
            PriceChart.Series(
                values: w.c.indices.map { i in i < 4 ? .nan : w.c[(i - 4)...i].reduce(0, +) / 5 },
                style: Style(fg: .index(3)))
        ]
        c.markers = [
            PriceChart.Marker(bar: 10, up: true, style: bull), PriceChart.Marker(bar: 30, up: false, style: bear),
        ]
        c.render(Rect(x: 0, y: 0, width: 60, height: 15), &b)
        DateAxis(labels: w.c.indices.map { $0 < 15 ? "Jan" : $0 < 30 ? "Feb" : "Mar" }, columnsPerBar: 1, style: muted)
            .render(Rect(x: 0, y: 15, width: 50, height: 1), &b)
        return b
    }

    @Test func candlesticksUseHalfCellGlyphsWithDojiOverlayMarkersAndAxis() {
        assertSnapshot(chart(.candles), named: "chart-candles")
    }

    @Test func ohlcBarsLineModeCrosshairLogScaleAndASCII() {
        assertSnapshot(chart(.ohlc), named: "chart-ohlc")
        assertSnapshot(chart(.line, crosshair: 20), named: "chart-line-crosshair")
        assertSnapshot(chart(.candles, glyphs: .ascii, log: true), named: "chart-candles-ascii-log")
    }

    @Test func histogramGrowsFromZeroInEighthsBothWays() {
        var b = sentinelBuffer(24, 6)
        let values: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -4, -8, 0, .nan, 8, 4]
        Histogram(values: values, styles: values.map { $0 >= 0 ? bull : bear }).render(
            Rect(x: 0, y: 0, width: 24, height: 6), &b)
        assertSnapshot(b, named: "widget-histogram")
    }

    @Test func lineChartWithGuidesAndFixedRange() {
        var b = sentinelBuffer(40, 6)
        let rsi = (0..<60).map { 50 + 30 * sin(Double($0) / 6) }
        LineChart(
            series: [PriceChart.Series(values: rsi, style: bull)], range: (0, 100), guides: [30, 70], axis: muted,
            grid: Style([.dim])
        )
        .render(b.area, &b)
        assertSnapshot(b, named: "widget-linechart")
    }
}
