import Foundation

/// A fresh directory under the system temp dir, removed with everything in it when the value
/// is released.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "tradlyte-test") {
        path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            preconditionFailure("cannot create \(path): \(error)")
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `text` to `name` inside the directory and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) -> String {
        let file = path + "/" + name
        precondition(FileManager.default.createFile(atPath: file, contents: Data(text.utf8)), "cannot write \(file)")
        return file
    }
}
