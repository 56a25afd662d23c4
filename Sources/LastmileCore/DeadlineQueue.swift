import Foundation

/// A min-heap of (instant, id) pairs: which canary's deadline (or other due event) comes next.
struct DeadlineQueue<ID: Sendable>: Sendable {
    private var heap: [(at: Date, id: ID)] = []

    var count: Int { heap.count }

    var isEmpty: Bool { heap.isEmpty }

    mutating func insert(_ id: ID, at: Date) {
        heap.append((at, id))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].at < heap[parent].at else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(at now: Date) -> (at: Date, id: ID)? {
        guard let first = heap.first, first.at <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].at < heap[smallest].at { smallest = left }
                if right < heap.count, heap[right].at < heap[smallest].at { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
