import Foundation
import Testing
import TradLyteTestSupport

@testable import TermRender

@Suite struct DisplayWidthTests {
    @Test func asciiLatinCJKEmojiAndCombiningMarksHaveTerminalWidths() {
        #expect(DisplayWidth.of("A") == 1)
        #expect(DisplayWidth.of("é") == 1)
        #expect(DisplayWidth.of("漢") == 2)
        #expect(DisplayWidth.of("한") == 2)
        #expect(DisplayWidth.of("ｱ") == 1)  // halfwidth katakana
        #expect(DisplayWidth.of("Ａ") == 2)  // fullwidth A
        #expect(DisplayWidth.of("📈") == 2)
        #expect(DisplayWidth.of("👍🏽") == 2)
        #expect(DisplayWidth.of("❤️") == 2)  // VS16 emoji presentation
        #expect(DisplayWidth.of("e\u{301}") == 1)  // combining acute as one grapheme
        #expect(DisplayWidth.of("漢字 ok") == 7)
        #expect(DisplayWidth.of("\u{7}") == 0)
    }

    @Test func truncationAndPaddingCountColumnsNotCharacters() {
        #expect(DisplayWidth.truncate("漢字漢字", to: 5) == "漢字…")
        #expect(DisplayWidth.pad("漢", to: 4, alignment: .right) == "  漢")
        #expect(DisplayWidth.pad("abc", to: 5, alignment: .center) == " abc ")
        #expect(DisplayWidth.truncate("abc", to: 0) == "")
    }
}

@Suite struct BufferTests {
    @Test func wideGraphemesTakeTwoCellsAndAreNeverSplitAtTheEdge() {
        var b = sentinelBuffer(5, 1)
        let used = b.put("a漢字", x: 0, y: 0, style: .plain)
        #expect(used == 5)
        #expect(b.textRows == ["a漢字"])
        var edge = sentinelBuffer(4, 1)
        edge.put("ab漢", x: 1, y: 0, style: .plain)
        #expect(edge.textRows == ["~ab "])  // the wide glyph would straddle the edge: a space
    }

    @Test func overwritingHalfAWideGraphemeBlanksTheOtherHalf() {
        var b = sentinelBuffer(4, 1)
        b.put("漢漢", x: 0, y: 0, style: .plain)
        b.set(1, 0, "x", .plain)
        #expect(b.textRows == [" x漢"])
    }

    @Test func combiningMarksAttachToThePreviousCell() {
        var b = sentinelBuffer(3, 1)
        b.put("e\u{301}x", x: 0, y: 0, style: .plain)
        #expect(b[0, 0].symbol == "e\u{301}")
        #expect(b[1, 0].symbol == "x")
    }

    @Test func theDiffHoldsOnlyChangedRunsAndNothingForAnUnchangedFrame() {
        var a = Buffer(width: 10, height: 3)
        a.put("hello", x: 0, y: 1, style: .plain)
        var b = a
        #expect(b.diff(from: a).isEmpty)
        b.put("J", x: 0, y: 1, style: Style(fg: .index(1)))
        b.put("!", x: 9, y: 2, style: .plain)
        let runs = b.diff(from: a)
        #expect(runs.map { "\($0.x),\($0.y):\($0.cells.map(\.symbol).joined())" } == ["0,1:J", "9,2:!"])
        #expect(b.diff(from: nil).count == 3)  // a first frame is drawn whole
        #expect(b.diff(from: Buffer(width: 5, height: 3)).count == 3)  // and so is a resize
    }

    @Test func aRunNeverStartsOnTheSecondHalfOfAWideGrapheme() {
        let a = Buffer(width: 4, height: 1)
        var b = a
        b.put("漢", x: 1, y: 0, style: .plain)
        var c = b
        c[2, 0] = Cell("", style: Style(fg: .index(2)))  // only the continuation changed
        let runs = c.diff(from: b)
        #expect(runs.first?.x == 1)
    }
}

@Suite struct LayoutTests {
    @Test func constraintsShareTheSpaceAndShrinkFromTheEnd() {
        let area = Rect(x: 0, y: 0, width: 100, height: 10)
        let cols = Layout.split(area, .horizontal, [.length(30), .fill, .percent(20)])
        #expect(cols.map(\.width) == [30, 50, 20])
        #expect(cols.map(\.x) == [0, 30, 80])
        let rows = Layout.split(area, .vertical, [.length(4), .length(4), .length(4)])
        #expect(rows.map(\.height) == [4, 4, 2])
        let two = Layout.split(area, .horizontal, [.fill, .min(10), .fill])
        #expect(two.map(\.width).reduce(0, +) == 100)
        #expect(two[1].width >= 10)
    }
}

@Suite struct ThemeTests {
    @Test func aThemeFileOverridesOnlyTheKeysItNames() throws {
        let t = try Theme.parse("# comment\nbull = #00ff00 bold\nbear = red on #101010\n", name: "x", file: "x.theme")
        #expect(t.bull == Style(fg: .rgb(0, 255, 0), [.bold]))
        #expect(t.bear == Style(fg: .index(1), bg: .rgb(16, 16, 16)))
        #expect(t.text == Theme.default.text)
    }

    @Test(arguments: [
        ("bull = #00ff0", 1, 8, "bad colour '#00ff0'"),
        ("text = #ffffff\n  bulll = red", 2, 3, "unknown key 'bulll'"),
        ("bear = red on", 1, 14, "'on' needs a background"),
        ("border", 1, 1, "expected 'key = colour'"),
        ("muted = red blue", 1, 13, "a second foreground"),
    ])
    func aBadLineIsReportedWithFileLineAndColumn(text: String, line: Int, column: Int, message: String) {
        #expect {
            _ = try Theme.parse(text, name: "bad", file: "themes/bad.theme")
        } throws: { error in
            guard let e = error as? Theme.ParseError else { return false }
            return e.file == "themes/bad.theme" && e.line == line && e.column == column && e.message.contains(message)
        }
    }

    @Test func colourMappingFindsTheNearestPaletteAndBasicColours() {
        #expect(Color.rgb(255, 0, 0).paletteIndex == 196)
        #expect(Color.rgb(128, 128, 128).paletteIndex == 244)
        #expect(Color.rgb(0, 0, 0).paletteIndex == 16)
        #expect(Color.rgb(230, 30, 30).basicIndex == 1)
        #expect(Color.rgb(40, 200, 90).basicIndex == 2)
        #expect(Color.rgb(20, 20, 20).basicIndex == 0)
        #expect(Color.index(9).basicIndex == 1)
    }
}

@Suite struct KeyEventTests {
    @Test func keymapSpecsParseAndPrintForTheHelpScreen() {
        #expect(KeyEvent(spec: "ctrl-c") == KeyEvent(.char("c"), .ctrl))
        #expect(KeyEvent(spec: "alt-x") == KeyEvent(.char("x"), .alt))
        #expect(KeyEvent(spec: "shift-tab") == KeyEvent(.backTab))
        #expect(KeyEvent(spec: "f5") == KeyEvent(.function(5)))
        #expect(KeyEvent(spec: "pgdn") == KeyEvent(.pageDown))
        #expect(KeyEvent(spec: "space") == KeyEvent(.char(" ")))
        #expect(KeyEvent(spec: "nonsense") == nil)
        #expect(KeyEvent(.char("c"), .ctrl).description == "Ctrl-C")
        #expect(KeyEvent(.up, .shift).description == "Shift-↑")
    }

    @Test func textFieldEditingKeys() {
        var f = TextField("golden cross")
        f.apply(.wordBack)
        #expect(f.text == "golden " && f.cursor == 7)
        f.apply(.home)
        f.apply(.delete)
        #expect(f.text == "olden ")
        f.apply(.insert("g"))
        f.apply(.end)
        f.apply(.insert("x"))
        #expect(f.text == "golden x")
        f.apply(.left)
        f.apply(.killToEnd)
        #expect(f.text == "golden ")
        f.apply(.killToStart)
        #expect(f.text.isEmpty && f.cursor == 0)
    }
}

@Suite struct ChartMathTests {
    @Test func priceScaleTicksAreRoundNumbersInsideTheRange() {
        let s = PriceScale(low: 97.3, high: 131.8, rows: 20)
        let ticks = s.ticks(every: 4)
        #expect(ticks == [100, 110, 120, 130])
        #expect(s.row(131.8) == 0)
        #expect(s.row(97.3) == 19)
        #expect(PriceScale.fixed(-0.004, decimals: 2) == "0.00")
        #expect(PriceScale.fixed(1234.5678, decimals: 2) == "1234.57")
        #expect(PriceScale.fixed(-3.5, decimals: 1) == "-3.5")
    }

    @Test func logScalePutsEqualRatiosAtEqualDistances() {
        let s = PriceScale(low: 10, high: 1000, rows: 10, log: true)
        #expect(abs(s.t(100) - 0.5) < 1e-12)
    }

    @Test func viewportZoomsFromEightBarsPerColumnToFourColumnsPerBarAndClampsThePan() {
        var v = Viewport()
        #expect(v.columnsPerBar == 2 && v.barsPerColumn == 1)
        #expect(v.range(total: 1000, columns: 80) == 960..<1000)
        v.pan = 5000
        #expect(v.range(total: 1000, columns: 80) == 0..<40)
        v = Viewport(zoom: 0)
        #expect(v.range(total: 1000, columns: 80) == 360..<1000)
        #expect(v.range(total: 10, columns: 80) == 0..<10)
    }

    @Test func mergingBarsKeepsOpenFirstCloseLastAndTheExtremes() {
        let m = OHLCColumns(
            open: [1, 2, 3, 4, 5], high: [2, 9, 4, 5, 6], low: [0.5, 1, 0.2, 3, 4], close: [1.5, 2.5, 3.5, 4.5, 5.5],
            volume: [1, 1, 1, 1, 1], merging: 2)
        #expect(m.open == [1, 3, 5] && m.close == [2.5, 4.5, 5.5] && m.high == [9, 5, 6] && m.low == [0.5, 0.2, 4])
        #expect(m.volume == [2, 2, 1] && m.firstBar == [0, 2, 4])
    }
}

@Suite struct ShippedThemeTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("themes")

    @Test(arguments: ["default", "light", "solarized-dark", "gruvbox", "high-contrast", "mono"])
    func everyShippedThemeParsesAndDefinesEveryKey(name: String) throws {
        let path = Self.directory.appendingPathComponent(name + ".theme").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        _ = try Theme.parse(text, name: name, file: path)
        let keys = text.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("=") }
            .map { $0.split(separator: "=")[0].trimmingCharacters(in: " ") }
        #expect(Set(keys) == Set(Theme.keys), "\(name) misses \(Set(Theme.keys).subtracting(keys))")
    }

    @Test func theShippedDefaultAndMonoFilesMatchTheCompiledInThemes() throws {
        for (name, theme) in [("default", Theme.default), ("mono", Theme.mono)] {
            let path = Self.directory.appendingPathComponent(name + ".theme").path
            let parsed = try Theme.parse(
                try String(contentsOfFile: path, encoding: .utf8), name: name, file: path,
                base: Theme(name: "empty", styles: [:]))
            for key in Theme.keys { #expect(parsed[key] == theme[key], "\(name): \(key)") }
        }
    }
}
