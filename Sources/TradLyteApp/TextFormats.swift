import TermRender
import TradLyteCore
import TradLytePipeline

/// Text the CLI prints that the engine and the screens already know how to draw.
package enum TextFormats {
    /// A one-line sparkline of `values` in `width` characters.
    package static func sparkline(_ values: [Double], width: Int) -> String {
        Sparkline.text(values, width: width)
    }

    /// A duration as the pipeline's ETAs spell it ("4 min", "1 h 5 min").
    package static func duration(_ seconds: Double) -> String {
        PipelinePlan.duration(seconds)
    }
}
