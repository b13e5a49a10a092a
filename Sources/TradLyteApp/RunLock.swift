import Foundation
import TradLyteCore

/// The single-instance lock of refreshes: an exclusive `flock` on `<data>/tradlyte.lock`.
/// The kernel drops the lock when its holder dies, so a lock left by a killed process is
/// taken over by the next run without any cleanup; the file only records who holds it.
package final class RunLock {
    package let path: String
    private let fd: Int32

    /// Takes the lock or throws `RunLockHeld` (exit 3) naming the holder; `now` is written
    /// into the file for whoever finds it held.
    package init(directory: String, trigger: String, at now: Date) throws {
        path = directory + "/tradlyte.lock"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else {
            if errno == EROFS || errno == EACCES {
                throw AppError.failure(
                    "the data directory \(directory) is read-only (\(String(cString: strerror(errno)))) — "
                        + "fix its permissions or mount; nothing was changed"
                )
            }
            throw AppError.failure("cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        // A moment's patience: `status` probes the lock with a brief shared hold (`holder`), which
        // must not make a starting refresh report a run that does not exist.
        var locked = flock(fd, LOCK_EX | LOCK_NB) == 0
        for _ in 0..<20 where !locked {
            usleep(10_000)
            locked = flock(fd, LOCK_EX | LOCK_NB) == 0
        }
        if !locked {
            let holder =
                // Who holds the lock is for the message only: an unreadable file names "another process".
                (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                ?? ""
            close(fd)
            throw RunLockHeld(holder: holder.isEmpty ? "another process" : holder)
        }
        let info = "pid \(getpid()), \(trigger) refresh started \(Timestamp.format(now))\n"
        ftruncate(fd, 0)
        _ = info.withCString { Glibc.write(fd, $0, strlen($0)) }
    }

    deinit {
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }
}

extension RunLock {
    /// Who holds the lock in `directory` right now (nil: no refresh is running), without taking
    /// it or creating the file.
    package static func holder(directory: String) -> String? {
        let path = directory + "/tradlyte.lock"
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) != 0 else {
            flock(fd, LOCK_UN)
            return nil
        }
        // As above: the holder's description is informational.
        let text = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return text?.isEmpty == false ? text : "another process"
    }
}

package struct RunLockHeld: Error, CustomStringConvertible {
    package let holder: String
    package var description: String {
        "a refresh is already running (\(holder)) — wait for it to finish; a lock left by a dead process "
            + "is taken over automatically"
    }
}
