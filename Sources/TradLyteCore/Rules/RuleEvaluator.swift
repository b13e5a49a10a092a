/// Evaluates compiled rules over a bar series, vectorised: one array per node.
/// Numbers use NaN for "not available"; conditions use three-valued `Truth`.
struct RuleEvaluator {
    let inputs: IndicatorInputs
    let cache: IndicatorCache
    var n: Int { inputs.count }

    static func arithmetic(_ op: Character, _ a: Double, _ b: Double) -> Double {
        switch op {
        case "+": return a + b
        case "-": return a - b
        case "*": return a * b
        default: return b == 0 ? .nan : a / b  // division by zero is "not available", not infinity
        }
    }

    mutating func outputs(of call: RuleExpr.Call) -> [[Double]] {
        if let cached = cache.outputs[call.key] { return cached }
        var i = inputs
        if let input = call.input { i.series = number(input) }
        let result = call.spec(i, call.parameters)
        cache.outputs[call.key] = result
        return result
    }

    mutating func number(_ e: RuleExpr) -> [Double] {
        switch e {
        case .constant(let v): return [Double](repeating: v, count: n)
        case .field(let f):
            switch f {
            case .open: return inputs.open
            case .high: return inputs.high
            case .low: return inputs.low
            case .close: return inputs.close
            case .volume: return inputs.volume
            }
        case .indicator(let call): return outputs(of: call)[call.output]
        case .shift(let inner, let k):
            let x = number(inner)
            return Self.build(n) { out in
                for i in 0..<n { out[i] = i >= k ? x[i - k] : .nan }
            }
        case .arithmetic(let op, let a, let b):
            let x = number(a)
            let y = number(b)
            return Self.zip(x, y) { u, v in RuleEvaluator.arithmetic(op, u, v) }
        case .negate(let inner):
            return number(inner).map { -$0 }
        default:
            return condition(e).map { $0 == Truth.unknown ? .nan : Double($0) }
        }
    }

    mutating func condition(_ e: RuleExpr) -> [Int8] {
        switch e {
        case .pattern(let name):
            return CandlePatterns.evaluate(
                CandlePatterns.named(name)!, open: inputs.open, high: inputs.high,
                low: inputs.low, close: inputs.close)
        case .shift(let inner, let k):
            let x = condition(inner)
            return (0..<n).map { $0 >= k ? x[$0 - k] : Truth.unknown }
        case .compare(let op, let a, let b):
            let test: (Double, Double) -> Bool
            switch op {
            case ">": test = { $0 > $1 }
            case "<": test = { $0 < $1 }
            case ">=": test = { $0 >= $1 }
            case "<=": test = { $0 <= $1 }
            case "==": test = { $0 == $1 }
            default: test = { $0 != $1 }
            }
            // Comparing with a constant is the common case (rsi(14) > 70): no array for it.
            if case .constant(let v) = b {
                return Self.truths(number(a)) { test($0, v) }
            }
            if case .constant(let u) = a {
                return Self.truths(number(b)) { test(u, $0) }
            }
            let x = number(a)
            let y = number(b)
            return Self.truths(x, y, test)
        case .cross(let above, let a, let b):
            // Both directions of one pair read one ordering array: "a crosses_above b" and
            // "a crosses_below b" (or "b crosses_above a") cost one pass over the numbers and
            // a byte pass each (the C kernel `tl_crossings`: bar i crosses above when the order
            // goes from ≤ on bar i − 1 to >, below from ≥ to <; unknown when either bar is
            // unordered, and on the first bar).
            var above = above
            var (a, b) = (a, b)
            if let ka = Self.key(a), let kb = Self.key(b), kb < ka {
                (a, b) = (b, a)
                above.toggle()
            }
            let order = ordering(a, b)
            return Self.buildTruth(min(n, order.count)) { out in
                order.withUnsafeBufferPointer { Kernels.crossings($0, above: above, into: out) }
            }
        case .logic(let isAnd, let a, let b):
            let x = condition(a)
            let y = condition(b)
            return Self.buildTruth(n) { out in
                x.withUnsafeBufferPointer { x in
                    y.withUnsafeBufferPointer { y in
                        for i in 0..<n {
                            let u = x[i]
                            let v = y[i]
                            if isAnd {
                                out[i] =
                                    (u == Truth.no || v == Truth.no)
                                    ? Truth.no : ((u == Truth.yes && v == Truth.yes) ? Truth.yes : Truth.unknown)
                            } else {
                                out[i] =
                                    (u == Truth.yes || v == Truth.yes)
                                    ? Truth.yes : ((u == Truth.no && v == Truth.no) ? Truth.no : Truth.unknown)
                            }
                        }
                    }
                }
            }
        case .not(let inner):
            return condition(inner).map { $0 == Truth.unknown ? Truth.unknown : 1 - $0 }
        default:
            return number(e).map { $0.isNaN ? Truth.unknown : ($0 != 0 ? Truth.yes : Truth.no) }
        }
    }

    /// For each bar, 1 when a > b, −1 when a < b, 0 when equal, 2 when either is NaN (the C
    /// kernel `tl_ordering`). Memoised per operand pair when both operands have a `key`.
    mutating func ordering(_ a: RuleExpr, _ b: RuleExpr) -> [Int8] {
        let key = Self.key(a).flatMap { ka in Self.key(b).map { OperandPair(a: ka, b: $0) } }
        if let key, let cached = cache.orderings[key] { return cached }
        let x = number(a)
        let y = number(b)
        let order = Self.buildTruth(min(x.count, y.count)) { out in
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in Kernels.ordering(x, y, count: min(x.count, y.count), into: out) }
            }
        }
        if let key { cache.orderings[key] = order }
        return order
    }

    /// Names an operand whose values depend only on the series (constants, price fields,
    /// indicator outputs), for memoising; nil for compound expressions.
    static func key(_ e: RuleExpr) -> OperandKey? {
        switch e {
        case .constant(let v): return OperandKey(name: "", detail: Int(bitPattern: UInt(v.bitPattern)))
        case .field(let f): return OperandKey(name: f.rawValue, detail: -1)
        case .indicator(let call): return OperandKey(name: call.key, detail: call.output)
        default: return nil
        }
    }

    // MARK: - Loops without bounds checks or per-element closures over arrays

    @inline(__always)
    static func build(_ n: Int, _ body: (UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        [Double](unsafeUninitializedCapacity: n) { buffer, count in
            if n > 0 { body(buffer.baseAddress!) }
            count = n
        }
    }

    @inline(__always)
    static func buildTruth(_ n: Int, _ body: (UnsafeMutablePointer<Int8>) -> Void) -> [Int8] {
        [Int8](unsafeUninitializedCapacity: n) { buffer, count in
            if n > 0 { body(buffer.baseAddress!) }
            count = n
        }
    }

    @inline(__always)
    static func zip(_ a: [Double], _ b: [Double], _ f: (Double, Double) -> Double) -> [Double] {
        build(a.count) { out in
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    for i in 0..<a.count { out[i] = f(a[i], b[i]) }
                }
            }
        }
    }

    @inline(__always)
    static func truths(_ a: [Double], _ test: (Double) -> Bool) -> [Int8] {
        buildTruth(a.count) { out in
            a.withUnsafeBufferPointer { a in
                for i in 0..<a.count { out[i] = a[i].isNaN ? Truth.unknown : (test(a[i]) ? Truth.yes : Truth.no) }
            }
        }
    }

    @inline(__always)
    static func truths(_ a: [Double], _ b: [Double], _ test: (Double, Double) -> Bool) -> [Int8] {
        buildTruth(a.count) { out in
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    for i in 0..<a.count {
                        let u = a[i]
                        let v = b[i]
                        out[i] = (u.isNaN || v.isNaN) ? Truth.unknown : (test(u, v) ? Truth.yes : Truth.no)
                    }
                }
            }
        }
    }
}
