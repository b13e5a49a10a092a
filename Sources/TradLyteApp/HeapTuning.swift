import Foundation

/// Process-wide allocator settings for the executables (a library leaves them alone).
public enum HeapTuning {
    /// Keeps up to 16 MiB of freed heap at the top of glibc's heap instead of returning it
    /// to the system on every free. A backtest allocates and frees a few hundred KiB of
    /// columns; with glibc's defaults each run grows the heap with `brk`, faults the new
    /// pages in and shrinks it again, which costs as much as a fifth of the run. Other C
    /// libraries (and glibc without `mallopt`) are left as they are.
    public static func keepFreedHeap() {
        #if os(Linux)
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let mTopPad: Int32 = -2  // malloc.h's M_TOP_PAD; Swift's Glibc module does not export malloc.h
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            _ = unsafeBitCast(symbol, to: Mallopt.self)(mTopPad, 16 << 20)
        #endif
    }
}
