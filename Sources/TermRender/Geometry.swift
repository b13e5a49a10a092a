/// A rectangle of cells.
public struct Rect: Hashable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }
    public var isEmpty: Bool { width <= 0 || height <= 0 }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public func inset(by d: Int) -> Rect { Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }
    public func inset(left: Int = 0, top: Int = 0, right: Int = 0, bottom: Int = 0) -> Rect {
        Rect(x: x + left, y: y + top, width: width - left - right, height: height - top - bottom)
    }
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }
    /// A centred rectangle of at most the given size.
    public func centered(width w: Int, height h: Int) -> Rect {
        let cw = min(w, width)
        let ch = min(h, height)
        return Rect(x: x + (width - cw) / 2, y: y + (height - ch) / 2, width: cw, height: ch)
    }
    public func row(_ i: Int) -> Rect { Rect(x: x, y: y + i, width: width, height: 1) }
}

/// Splits a rectangle into rows or columns by constraints, like ratatui's `Layout`.
public enum Layout {
    public enum Direction: Sendable { case vertical, horizontal }
    public enum Constraint: Hashable, Sendable {
        /// Exactly n cells (less when space runs out).
        case length(Int)
        /// A percentage of the whole.
        case percent(Int)
        /// At least n cells; shares leftover space with `fill`.
        case min(Int)
        /// An equal share of what is left.
        case fill
    }

    public static func split(_ area: Rect, _ direction: Direction, _ constraints: [Constraint]) -> [Rect] {
        let total = direction == .vertical ? area.height : area.width
        var sizes = constraints.map { c -> Int in
            switch c {
            case .length(let n): return n
            case .percent(let p): return total * p / 100
            case .min(let n): return n
            case .fill: return 0
            }
        }
        let flexible = constraints.indices.filter {
            if case .fill = constraints[$0] { return true }
            if case .min = constraints[$0] { return true }
            return false
        }
        var left = total - sizes.reduce(0, +)
        if left > 0 && !flexible.isEmpty {
            for (k, i) in flexible.enumerated() {
                let share = left / (flexible.count - k)
                sizes[i] += share
                left -= share
            }
        }
        // Out of space: shrink from the last constraint backwards.
        var over = sizes.reduce(0, +) - total
        var i = sizes.count - 1
        while over > 0 && i >= 0 {
            let cut = Swift.min(over, sizes[i])
            sizes[i] -= cut
            over -= cut
            i -= 1
        }
        var offset = 0
        return sizes.map { size in
            defer { offset += size }
            return direction == .vertical
                ? Rect(x: area.x, y: area.y + offset, width: area.width, height: size)
                : Rect(x: area.x + offset, y: area.y, width: size, height: area.height)
        }
    }
}
