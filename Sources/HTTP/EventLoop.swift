import CEpoll
import Foundation
import Glibc
import Synchronization

/// One of the server's event loops: a thread waiting in `epoll` on the connections it owns, and
/// a mailbox through which other threads hand it work (a new connection, a handler's response,
/// a stop). Only the loop's thread touches its connections (`EventLoopRunner`).
///
/// It is also a task executor: a handler started with it as its preference runs on the loop's
/// thread between two waits, and so do the default actors it calls and the continuations that
/// resume it, so a request that is parsed, handled and answered crosses no thread but those it
/// waits on.
final class EventLoop: TaskExecutor, Sendable {
    /// What other threads ask of the loop.
    enum Command: Sendable {
        /// Serve a connection the accept thread has counted and admitted.
        case adopt(descriptor: Int32, peer: PeerAddress?, acceptedAt: ContinuousClock.Instant)
        /// The handler answered the request of connection `id`.
        case respond(id: UInt64, response: HTTPResponse)
        /// The server stops: close idle connections, finish the others' requests without keep-alive.
        case stop
        /// Close every connection now.
        case closeAll
        /// Close every connection and end the thread.
        case exit
        /// Run a job of a task that prefers this loop.
        case run(UnownedJob)
    }

    private struct Mailbox {
        var commands: [Command] = []
        var exited = false
        /// The counter was written since the loop last read it: one wake-up covers every
        /// command posted before the loop takes them.
        var wakePending = false
    }

    /// The `epoll` instance; the mailbox's event counter is registered with data 0.
    let epoll: Int32
    /// An `eventfd` written when the mailbox gets a command.
    let wake: Int32
    private let mailbox = Mutex(Mailbox())
    /// The loop's thread, once started: what it posts to itself wakes no one.
    private let thread = Atomic<UInt>(0)
    /// How many times a post wrote the counter.
    private let wakeUpCount = Atomic<Int>(0)

    init() throws(Socket.Failure) {
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw Socket.Failure(call: "epoll_create1", code: errno) }
        let wake = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard wake >= 0 else {
            let code = errno
            Glibc.close(epoll)
            throw Socket.Failure(call: "eventfd", code: code)
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = 0
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event) == 0 else {
            let code = errno
            Glibc.close(epoll)
            Glibc.close(wake)
            throw Socket.Failure(call: "epoll_ctl", code: code)
        }
        self.epoll = epoll
        self.wake = wake
    }

    deinit {
        Glibc.close(epoll)
        Glibc.close(wake)
    }

    /// Starts the loop's thread, serving for `server`.
    func start(for server: HTTPServer) {
        let thread = Thread { [self] in
            self.thread.store(pthread_self(), ordering: .releasing)
            Self.nameThisThread("lastmile-loop")
            var runner = EventLoopRunner(server: server, loop: self)
            runner.run()
        }
        thread.name = "lastmile-http-loop"
        thread.start()
    }

    /// Names the calling thread as `top -H`, `ps -L` and debuggers show it (at most 15 bytes).
    /// Foundation's `Thread.name` does not reach the kernel on Linux.
    static func nameThisThread(_ name: String) {
        let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { Glibc.close(descriptor) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
    }

    /// Hands the loop a command and wakes it; false when the loop has ended (a connection handed
    /// to it then stays the caller's to close). The loop's own thread takes what it posts before
    /// it next waits, so it wakes no one.
    @discardableResult
    func post(_ command: Command) -> Bool {
        let onLoop = pthread_self() == thread.load(ordering: .acquiring)
        let (taken, wakes) = mailbox.withLock { mailbox -> (Bool, Bool) in
            guard !mailbox.exited else { return (false, false) }
            mailbox.commands.append(command)
            guard !onLoop else { return (true, false) }
            let wakes = !mailbox.wakePending
            mailbox.wakePending = true
            return (true, wakes)
        }
        guard taken else { return false }
        if wakes {
            wakeUpCount.add(1, ordering: .relaxed)
            var one: UInt64 = 1
            if Glibc.write(wake, &one, MemoryLayout<UInt64>.size) < 0 {
                // No wake-up went out: the next post must try again rather than count on this one.
                mailbox.withLock { $0.wakePending = false }
            }
        }
        return true
    }

    /// Runs `job` on the loop's thread; on the global executor once the loop has ended.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if !post(.run(job)) { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
    }

    /// How many times another thread woke the loop so far.
    var wakeUps: Int { wakeUpCount.load(ordering: .relaxed) }

    /// Whether commands wait in the mailbox.
    var hasCommands: Bool { mailbox.withLock { !$0.commands.isEmpty } }

    /// The commands posted since the last call; after `.exit`, later posts are refused.
    /// `readingCounter` is false when the loop looks without having been woken: the counter,
    /// if another thread wrote it, is left for the wake-up it will cause.
    func takeCommands(readingCounter: Bool = true) -> [Command] {
        if readingCounter {
            var count: UInt64 = 0
            _ = Glibc.read(wake, &count, MemoryLayout<UInt64>.size)
        }
        return mailbox.withLock { mailbox in
            // Read before the lock: a post from now on writes the counter again.
            if readingCounter { mailbox.wakePending = false }
            guard !mailbox.commands.isEmpty else { return [] }
            let commands = mailbox.commands
            mailbox.commands = []
            if commands.contains(where: { if case .exit = $0 { true } else { false } }) { mailbox.exited = true }
            return commands
        }
    }
}
