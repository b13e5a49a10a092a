import TermRender
import TradLyteCore

/// Clicks and the wheel, as the terminal tools people like handle them: a click selects what it
/// lands on (a watchlist row, an interval tab, a list row, a trade, a heat-map cell), the wheel
/// scrolls the list or help under it (zooms the chart), and a popup keeps the mouse to itself.
extension App {
    static func mouse(_ m: MouseEvent, _ s: inout AppState) -> [Effect] {
        let up = m.kind == .wheelUp
        if let overlay = s.overlay {
            // Nothing behind a popup is reached; the wheel scrolls the popup.
            guard m.kind != .press else { return [] }
            switch overlay {
            case .help(let scroll): s.overlay = .help(scroll: max(0, scroll + (up ? -3 : 3)))
            case .palette, .search: return overlayKey(KeyEvent(up ? .up : .down), &s)
            case .filter: return perform(up ? .listUp : .listDown, &s)
            case .settings: return overlayKey(KeyEvent(up ? .up : .down), &s)
            }
            return []
        }
        let sidebar = Screens.sidebarWidth(s)
        let inSidebar = m.x < sidebar
        if m.kind != .press {
            if inSidebar { return perform(up ? .selectUp : .selectDown, &s) }
            if s.pane == .chart { return perform(up ? .zoomIn : .zoomOut, &s) }
            return perform(up ? .listUp : .listDown, &s)
        }
        if inSidebar {
            let row = m.y - Screens.watchlistTop
            guard row >= 0, row < s.watchlist.count else { return [] }
            s.focus = .watchlist
            s.selected = row
            s.current = nil
            return ensureLoaded(&s)
        }
        s.focus = .main
        let inner = Screens.mainInner(s)
        guard inner.contains(x: m.x, y: m.y) else { return [] }
        switch s.pane {
        case .chart:
            guard m.y == inner.y else { return [] }
            // The interval tabs: " 1:1d " and so on from the left edge.
            var x = inner.x
            for (k, interval) in intervals.enumerated() {
                let width = "\(k + 1):\(interval)".count + 2
                if m.x < x + width {
                    setInterval(interval, &s)
                    return ensureLoaded(&s)
                }
                x += width
            }
            return []
        case .backtest:
            if let st = s.study, let grid = st.grid {
                let area = inner.inset(top: 2)
                let (label, cell, columns, rows) = Screens.heatMapGeometry(
                    x: grid.x, y: grid.y, area, cursor: (st.column, st.row))
                let column = columns.lowerBound + (m.x - area.x - label) / cell
                let row = rows.lowerBound + m.y - area.y - 1
                guard m.x >= area.x + label, columns.contains(column), rows.contains(row) else { return [] }
                s.study?.column = column
                s.study?.row = row
                return []
            }
            guard let panel = s.backtest, panel.result != nil, s.study == nil else { return [] }
            let body = inner.inset(top: 2)
            let table = panel.view == .overview ? Screens.overviewLayout(body).trades : body
            return clickRow(m.y, table: table, &s)
        case .picks, .alerts:
            return clickRow(m.y, table: inner, &s)
        default:
            return []
        }
    }

    /// A click on a row of a table drawn in `table` (a header line, then rows scrolled so the
    /// selection shows) selects that row.
    static func clickRow(_ y: Int, table: Rect, _ s: inout AppState) -> [Effect] {
        let visible = table.height - 1
        let first = Table.scrollOffset(selected: s.listSelection, current: 0, visible: visible)
        let row = first + y - table.y - 1
        guard y > table.y, y < table.maxY, row >= 0, row < s.listCount else { return [] }
        s.listSelection = row
        return []
    }
}
