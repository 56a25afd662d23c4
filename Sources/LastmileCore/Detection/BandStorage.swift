import Glibc
import Synchronization

/// Zeroed doubles for the banded systems of threshold searches (several MiB each), in an
/// anonymous mapping of their own.
///
/// From the heap, the first band would raise glibc's mapping threshold past its size, and every
/// later one would stay resident after it was freed: an idle daemon held 3 MiB it had used once,
/// at start. A fresh mapping per band cost a search twice its time in page faults, so one mapping
/// is kept between searches (`take`, `giveBack`) until its owner is done with searching for a
/// while (`releaseKept`, which the daemon calls once its thresholds are prepared).
final class BandStorage {
    private var base: UnsafeMutableRawPointer?
    private var bytes = 0
    /// Where a mapping failed: an array instead.
    private var fallback: [Double] = []

    /// Storage for one search, with the kept mapping if no other search holds it.
    static func take() -> BandStorage {
        let storage = BandStorage()
        if let mapping = kept.withLock({ $0.take() }) {
            storage.base = UnsafeMutableRawPointer(bitPattern: mapping.address)
            storage.bytes = mapping.bytes
        }
        return storage
    }

    /// Keeps the mapping of `storage` for the next search, unless one is kept already.
    static func giveBack(_ storage: BandStorage) {
        guard let base = storage.base else { return }
        let mapping = Mapping(address: UInt(bitPattern: base), bytes: storage.bytes)
        storage.base = nil
        storage.bytes = 0
        let refused = kept.withLock { kept -> Mapping? in
            guard kept == nil else { return mapping }
            kept = mapping
            return nil
        }
        refused?.unmap()
    }

    /// Unmaps the kept mapping.
    static func releaseKept() {
        kept.withLock { $0.take() }?.unmap()
    }

    /// A mapping between searches, by address (no search holds it).
    private struct Mapping: Sendable {
        var address: UInt
        var bytes: Int

        func unmap() { munmap(UnsafeMutableRawPointer(bitPattern: address), bytes) }
    }

    private static let kept = Mutex<Mapping?>(nil)

    /// `count` zeroed doubles, valid until the next call.
    func zeroed(_ count: Int) -> UnsafeMutableBufferPointer<Double> {
        let needed = count * MemoryLayout<Double>.stride
        if needed > bytes {
            release()
            if let mapped = mmap(nil, needed, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), mapped != MAP_FAILED {
                base = mapped
                bytes = needed
            }
        } else if let base {
            memset(base, 0, needed)
        }
        guard let base else {
            fallback = [Double](repeating: 0, count: count)
            return fallback.withUnsafeMutableBufferPointer { $0 }
        }
        return UnsafeMutableBufferPointer(start: base.bindMemory(to: Double.self, capacity: count), count: count)
    }

    private func release() {
        if let base { munmap(base, bytes) }
        base = nil
        bytes = 0
    }

    deinit { release() }
}
