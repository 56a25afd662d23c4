import Glibc
import Testing
@testable import HTTP

@Suite struct EventLoopMailboxTests {
    /// What the loop's counter holds now (0 when nothing was written); reading it resets it.
    func counter(_ loop: EventLoop) -> UInt64 {
        var count: UInt64 = 0
        return Glibc.read(loop.wake, &count, MemoryLayout<UInt64>.size) == MemoryLayout<UInt64>.size ? count : 0
    }

    @Test func commandsPostedBeforeTheLoopTakesThemShareOneWakeUp() throws {
        let loop = try EventLoop()
        for _ in 0..<5 { #expect(loop.post(.closeAll)) }
        #expect(counter(loop) == 1)
        #expect(loop.takeCommands().count == 5)
        // Once taken, the next command wakes the loop again.
        #expect(loop.post(.closeAll))
        #expect(counter(loop) == 1)
        #expect(loop.takeCommands().count == 1)
        #expect(loop.takeCommands().isEmpty)
        #expect(counter(loop) == 0)
    }
}
