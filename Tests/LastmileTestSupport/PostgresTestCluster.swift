import Foundation
import Glibc
import Testing

/// A PostgreSQL server of a test's own, made with `initdb` in a temporary folder on a free port,
/// for tests that stop and restart the database. As root it runs as the `postgres` user, since
/// PostgreSQL refuses to run as root.
public final class PostgresTestCluster {
    public let port: UInt16
    private let folder: String
    private let binaries: String

    /// The URL of its `postgres` database.
    public var url: String { "postgresql://postgres@127.0.0.1:\(port)/postgres" }

    /// A new server, started; nil when PostgreSQL is not installed outside CI (under CI that is
    /// recorded as a failure: `.ci/run` installs it).
    public static func start() async throws -> PostgresTestCluster? {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = versions.sorted(by: { $0.compare($1, options: .numeric) == .orderedAscending }).last,
              FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(version)/bin/initdb") else {
            #expect(!PostgresTestServer.isRequired, "PostgreSQL's initdb is not installed under CI (.ci/run installs postgresql)")
            return nil
        }
        let cluster = try PostgresTestCluster(binaries: "/usr/lib/postgresql/\(version)/bin")
        try await cluster.run("initdb", ["-D", cluster.folder + "/data", "-A", "trust", "-U", "postgres"])
        try await cluster.start()
        return cluster
    }

    private init(binaries: String) throws {
        self.binaries = binaries
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lastmile-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if getuid() == 0, let user = getpwnam("postgres") { chown(folder, user.pointee.pw_uid, user.pointee.pw_gid) }
        port = try LoopbackPort.free()
    }

    /// Starts the server and waits until it takes connections.
    public func start() async throws {
        try await run("pg_ctl", ["-D", folder + "/data", "-l", folder + "/log", "-w",
                                 "-o", "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1", "start"])
    }

    /// Stops the server at once (`-m fast`: sessions are cut off, nothing committed is lost).
    public func stop() async throws {
        try await run("pg_ctl", ["-D", folder + "/data", "-m", "fast", "-w", "stop"])
    }

    /// Stops the server for good and removes its folder.
    public func remove() async {
        try? await run("pg_ctl", ["-D", folder + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: folder)
    }

    deinit {
        // A test that ended early without `remove`: stop the server without waiting for it.
        _ = try? Self.spawn(binaries + "/pg_ctl", ["-D", folder + "/data", "-m", "immediate", "stop"])
    }

    /// Runs one of PostgreSQL's programs and waits for it. Spawned directly rather than with
    /// Foundation's `Process`, which waits for every descriptor its child had to close, and a
    /// server that `pg_ctl start` leaves running keeps them open.
    private func run(_ tool: String, _ arguments: [String]) async throws {
        let status = try await Self.spawnAndWait(binaries + "/" + tool, arguments)
        guard status == 0 else {
            let log = (try? String(contentsOfFile: folder + "/log", encoding: .utf8)) ?? ""
            throw RawConnection.Failure(description: "\(tool) exited with \(status): \(log.suffix(1_000))")
        }
    }

    /// Spawns `executable` (as the `postgres` user when root), output discarded, and waits for
    /// its exit status.
    static func spawnAndWait(_ executable: String, _ arguments: [String]) async throws -> Int32 {
        let pid = try spawn(executable, arguments)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 { try await Task.sleep(for: .milliseconds(20)) }
        // Exited normally: its exit code; killed: 128 and the signal.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// Starts `executable` (as the `postgres` user when root) with its output discarded; its pid.
    static func spawn(_ executable: String, _ arguments: [String]) throws -> pid_t {
        let command = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments : [executable] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, &argv, environ)
        guard spawned == 0 else { throw RawConnection.Failure(description: "cannot run \(command[0]): \(String(cString: strerror(spawned)))") }
        return pid
    }
}
