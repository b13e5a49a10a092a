import Foundation

/// Files the app writes (the config, strategy files) are replaced whole: the new content goes
/// to a temporary file beside the old one, is flushed to disk, and is renamed over it, so a
/// crash or a full disk leaves the old file or the new one, never half of either.
package enum AtomicFile {
    /// Replaces (or creates) `path` with `data`, the new file with exactly `mode` (whatever the
    /// umask). `what` names the file in errors ("the config file").
    package static func replace(_ path: String, with data: Data, mode: mode_t, what: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        unlink(tmp)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw AppError.failure("cannot write \(tmp): \(String(cString: strerror(errno)))")
        }
        fchmod(fd, mode)
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced else {
            unlink(tmp)
            throw AppError.failure("cannot write \(tmp) (disk full?) — \(what) was left as it was")
        }
        guard rename(tmp, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw AppError.failure("cannot replace \(path): \(why)")
        }
    }
}
