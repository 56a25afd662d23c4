import LastmileBase
import Synchronization
import Testing

/// The latch wakes its waiters when opened, and only then; waits end on cancellation and time-outs.
@Suite struct AsyncLatchTests {
    @Test func openingWakesEveryWaiter() async {
        let latch = AsyncLatch()
        let woken = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    await latch.wait()
                    woken.increment()
                }
            }
            #expect(woken.value == 0)
            latch.open()
        }
        #expect(woken.value == 5)
        #expect(latch.isOpen)
    }

    @Test func anOpenLatchDoesNotWait() async {
        let latch = AsyncLatch()
        latch.open()
        latch.open()
        await latch.wait()
        #expect(await latch.wait(timeout: .seconds(60)))
    }

    @Test func aTimeoutEndsTheWaitWithoutOpening() async {
        let latch = AsyncLatch()
        #expect(await latch.wait(timeout: .milliseconds(20)) == false)
        #expect(!latch.isOpen)
    }

    @Test func cancellingTheWaiterEndsItsWait() async {
        let latch = AsyncLatch()
        let waiter = Task { await latch.wait() }
        waiter.cancel()
        await waiter.value
        #expect(!latch.isOpen)
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }

    func increment() {
        count.withLock { $0 += 1 }
    }
}
