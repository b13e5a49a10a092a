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
            return (0..<n).map { $0 >= k ? x[$0 - k] : .nan }
        case .arithmetic(let op, let a, let b):
            let x = number(a), y = number(b)
            return (0..<n).map { RuleEvaluator.arithmetic(op, x[$0], y[$0]) }
        case .negate(let inner):
            return number(inner).map { -$0 }
        default:
            return condition(e).map { $0 == Truth.unknown ? .nan : Double($0) }
        }
    }

    mutating func condition(_ e: RuleExpr) -> [Int8] {
        switch e {
        case .pattern(let name):
            return CandlePatterns.evaluate(CandlePatterns.named(name)!, open: inputs.open, high: inputs.high,
                                           low: inputs.low, close: inputs.close)
        case .shift(let inner, let k):
            let x = condition(inner)
            return (0..<n).map { $0 >= k ? x[$0 - k] : Truth.unknown }
        case .compare(let op, let a, let b):
            let x = number(a), y = number(b)
            return (0..<n).map { i in
                let u = x[i], v = y[i]
                if u.isNaN || v.isNaN { return Truth.unknown }
                let r: Bool
                switch op {
                case ">": r = u > v
                case "<": r = u < v
                case ">=": r = u >= v
                case "<=": r = u <= v
                case "==": r = u == v
                default: r = u != v
                }
                return r ? Truth.yes : Truth.no
            }
        case .cross(let above, let a, let b):
            let x = number(a), y = number(b)
            return (0..<n).map { i in
                guard i >= 1 else { return Truth.unknown }
                let u0 = x[i - 1], v0 = y[i - 1], u1 = x[i], v1 = y[i]
                if u0.isNaN || v0.isNaN || u1.isNaN || v1.isNaN { return Truth.unknown }
                let r = above ? (u1 > v1 && u0 <= v0) : (u1 < v1 && u0 >= v0)
                return r ? Truth.yes : Truth.no
            }
        case .logic(let isAnd, let a, let b):
            let x = condition(a), y = condition(b)
            return (0..<n).map { i in
                let u = x[i], v = y[i]
                if isAnd {
                    if u == Truth.no || v == Truth.no { return Truth.no }
                    return (u == Truth.yes && v == Truth.yes) ? Truth.yes : Truth.unknown
                } else {
                    if u == Truth.yes || v == Truth.yes { return Truth.yes }
                    return (u == Truth.no && v == Truth.no) ? Truth.no : Truth.unknown
                }
            }
        case .not(let inner):
            return condition(inner).map { $0 == Truth.unknown ? Truth.unknown : 1 - $0 }
        default:
            return number(e).map { $0.isNaN ? Truth.unknown : ($0 != 0 ? Truth.yes : Truth.no) }
        }
    }
}
