import Foundation
import LastmileBase
import LastmileConfig
import LastmileProviders
import LastmileCore
import LastmileDaemon
import LastmileStore

/// Durable arrival reports per second over loopback HTTP with keep-alive, driven by wrk, against
/// nginx answering a fixed 200 to the same load in the same run; then p99 latency at a paced
/// 2,000 reports per second; then a check that every acknowledged report is committed.
///
/// With `--store postgresql://…`, the store is a fresh database on that server, and pgbench
/// inserting one row per transaction with as many clients is the second reference.
enum IngestBenchmark {
    static let connections = 32
    static let seconds = 10

    static func run(store server: String? = nil) async throws {
        guard let wrk = Tools.find("wrk"), let nginx = Tools.find("nginx", in: ["/usr/sbin", "/usr/bin"]) else {
            print("ingest: needs wrk and nginx (apt-get install wrk nginx-light); skipped")
            return
        }
        let directory = try Tools.temporaryDirectory("ingest")
        defer { try? FileManager.default.removeItem(at: directory) }

        // nginx: a fixed 200, the reference.
        let nginxPort = try Tools.freePort()
        let nginxConfig = """
            worker_processes auto;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/nginx-error.log;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path \(directory.path);
              server { listen 127.0.0.1:\(nginxPort); location / { return 200 "ok\\n"; } }
            }
            """
        try Data(nginxConfig.utf8).write(to: directory.appendingPathComponent("nginx.conf"))
        let nginxProcess = Process()
        nginxProcess.executableURL = URL(fileURLWithPath: nginx)
        nginxProcess.arguments = ["-p", directory.path, "-c", directory.appendingPathComponent("nginx.conf").path, "-g", "daemon off;"]
        try nginxProcess.run()
        defer { nginxProcess.terminate() }

        // Lastmile with one json receiver and no probes.
        let config = """
            [server]
            listen = "127.0.0.1:0"
            [[receiver]]
            name = "phone"
            number = "+15551230001"
            carrier = "Bench"
            source = "json"
            secret = "bench-secret"
            """
        var storePath = directory.appendingPathComponent("ingest.db").path
        var scratch: PostgresScratchDatabase?
        if let server {
            let database = try PostgresScratchDatabase(server: server)
            scratch = database
            storePath = database.url
        }
        defer { scratch?.drop() }
        let daemon = try await Daemon.start(Daemon.Options(
            loadConfiguration: { ConfigLoader.load(text: Array(config.utf8), path: "bench.toml", catalogue: .standard, environment: [:]) },
            logger: Logger(minimum: .error), notifier: SystemdNotifier(environment: [:]), storePathOverride: storePath))
        // Every report of the run kept, so the count below can check that each acknowledged one was committed.
        await daemon.engine.setStoragePolicy(IngestStoragePolicy(unmatchedLimit: 100_000_000))
        try await Task.sleep(for: .milliseconds(300))
        // On a shared store, measured as the leader, which joins reports as they come.
        while !daemon.leadership.isActing { try await Task.sleep(for: .milliseconds(50)) }

        let script = directory.appendingPathComponent("arrival.lua")
        try Data(luaScript(paced: false).utf8).write(to: script)
        let paced = directory.appendingPathComponent("paced.lua")
        try Data(luaScript(paced: true).utf8).write(to: paced)
        let health = directory.appendingPathComponent("health.lua")
        try Data(IngestCeilings.healthScript.utf8).write(to: health)

        let reading = readingCost()
        let nginxCPUBefore = Tools.cpuSeconds(ofProcessTree: nginxProcess.processIdentifier)
        let reference = try await Tools.wrk(wrk, url: "http://127.0.0.1:\(nginxPort)/hooks/arrivals/phone", script: script,
                                      connections: connections, seconds: seconds)
        let nginxCPU = Tools.cpuSeconds(ofProcessTree: nginxProcess.processIdentifier) - nginxCPUBefore
        // The daemon runs in this process: its CPU over the run is this process's.
        let ownCPUBefore = Tools.ownCPUSeconds()
        let lastmile = try await Tools.wrk(wrk, url: "http://127.0.0.1:\(daemon.port)/hooks/arrivals/phone", script: script,
                                     connections: connections, seconds: seconds)
        let lastmileCPU = Tools.ownCPUSeconds() - ownCPUBefore
        // 20 connections × one report per 10 ms ≈ 2,000 reports per second.
        let steady = try await Tools.wrk(wrk, url: "http://127.0.0.1:\(daemon.port)/hooks/arrivals/phone", script: paced,
                                   connections: 20, seconds: seconds)
        let serverAlone = try await Tools.wrk(wrk, url: "http://127.0.0.1:\(daemon.port)/healthz", script: health,
                                        connections: connections, seconds: seconds)
        await daemon.stop(grace: 5)
        // The store alone on a file of its own (on PostgreSQL, pgbench below is that reference).
        let storeAlone = scratch == nil
            ? try await IngestCeilings.storeAlone(path: directory.appendingPathComponent("alone.db").path,
                                                  writers: connections, seconds: Double(seconds))
            : nil
        let storeInBulk = scratch == nil
            ? try await IngestCeilings.storeInBulk(path: directory.appendingPathComponent("bulk.db").path, batch: 1_000, seconds: 5)
            : nil
        var inserts: Double?
        if let scratch { inserts = try await scratch.pgbench(clients: connections, seconds: seconds) }
        let store = try CanaryStore(location: StoreLocation(storePath))
        // On a shared store a report may still wait in the inbox (one report per request here).
        let stored = try store.rowCounts().arrivals + store.inboxCount()
        await store.close()
        let acknowledged = lastmile.requests - lastmile.non2xx + steady.requests - steady.non2xx

        print("ingest: wrk -t2 -c\(connections) -d\(seconds)s, JSON arrival reports, keep-alive, "
              + (scratch == nil ? "SQLite, synchronous=FULL" : "PostgreSQL (synchronous_commit=on), as the leader"))
        print("  nginx fixed 200 (reference): \(formatted(reference.rate)) req/s, p99 \(formatted(reference.p99 * 1000, digits: 2)) ms")
        print("  lastmile durable ingest:     \(formatted(lastmile.rate)) reports/s, p99 \(formatted(lastmile.p99 * 1000, digits: 2)) ms, non-2xx \(lastmile.non2xx)")
        print("  ratio lastmile/nginx:        \(formatted(lastmile.rate / reference.rate * 100, digits: 1))% (target ≥ 50%)")
        // CPU per request is steadier than a rate on a noisy machine: it does not move with what else runs.
        let perReport = lastmileCPU / Double(max(lastmile.requests, 1)), perRequest = nginxCPU / Double(max(reference.requests, 1))
        print("  CPU per request:             lastmile \(formatted(perReport * 1e6, digits: 1)) µs (\(formatted(lastmileCPU / Double(seconds), digits: 2)) cores), "
              + "nginx \(formatted(perRequest * 1e6, digits: 1)) µs (\(formatted(nginxCPU / Double(seconds), digits: 2)) cores): \(formatted(perRequest / perReport * 100, digits: 1))%")
        print("  reading one report's JSON:   \(formatted(reading.reader * 1e9, digits: 0)) ns (JSONSerialization, the reference: \(formatted(reading.foundation * 1e9, digits: 0)) ns, \(formatted(reading.foundation / reading.reader, digits: 1))×)")
        let serverShare = serverAlone.rate / reference.rate
        print("  the server alone (/healthz): \(formatted(serverAlone.rate)) req/s, \(formatted(serverShare * 100, digits: 1))% of nginx")
        if let storeAlone {
            let storeShare = storeAlone.rate / reference.rate
            print("  the store alone (\(connections) writers, no HTTP, the whole machine): \(formatted(storeAlone.rate)) reports/s, "
                  + "\(formatted(storeAlone.cpuPerReport * 1e6, digits: 1)) µs of CPU each, \(formatted(storeShare * 100, digits: 1))% of nginx")
            print("  ceiling of the two together: \(formatted(100 / (1 / serverShare + 1 / storeShare), digits: 1))% of nginx")
        }
        if let storeInBulk {
            let bulkShare = storeInBulk.rate / reference.rate
            print("  the store in bulk (1,000 reports a transaction, one writer): \(formatted(storeInBulk.rate)) reports/s, "
                  + "\(formatted(storeInBulk.cpuPerReport * 1e6, digits: 1)) µs of CPU each, \(formatted(bulkShare * 100, digits: 1))% of nginx")
            print("  ceiling of the server and the bulk store: \(formatted(100 / (1 / serverShare + 1 / bulkShare), digits: 1))% of nginx")
        }
        if let inserts {
            print("  pgbench, one INSERT per transaction, \(connections) clients (reference): \(formatted(inserts)) inserts/s")
            print("  ratio lastmile/pgbench:      \(formatted(lastmile.rate / inserts * 100, digits: 1))%")
        }
        print("  paced (20 connections, 10 ms apart): \(formatted(steady.rate)) reports/s, p50 \(formatted(steady.p50 * 1000, digits: 2)) ms, p99 \(formatted(steady.p99 * 1000, digits: 2)) ms (target p99 < 5 ms at 2,000/s)")
        print("  acknowledged \(acknowledged), stored \(stored): \(stored >= acknowledged ? "every acknowledged report is committed" : "MISSING \(acknowledged - stored)")")
    }

    /// Seconds to read one report's body like the bench's, with the hooks' `JSONReader` and with
    /// Foundation's `JSONSerialization`, best of three rounds each.
    static func readingCost() -> (reader: Double, foundation: Double) {
        let body = Array(#"{"from":"+15550000000","to":"+15551230001","body":"bench report 12345 of thread 678901"}"#.utf8)
        let data = Data(body)
        let rounds = 50_000
        var reader = Double.infinity, foundation = Double.infinity
        var fields = 0
        for _ in 0..<3 {
            let watch = Stopwatch()
            for _ in 0..<rounds {
                if case .object(let members)? = try? JSONReader.read(body) { fields += members.count }
            }
            reader = min(reader, watch.seconds / Double(rounds))
            let other = Stopwatch()
            for _ in 0..<rounds {
                if let members = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] { fields += members.count }
            }
            foundation = min(foundation, other.seconds / Double(rounds))
        }
        precondition(fields == 3 * 2 * rounds * 3, "every body read as three fields")
        return (reader, foundation)
    }

    static func luaScript(paced: Bool) -> String {
        """
        counter = 0
        request = function()
          counter = counter + 1
          local body = '{"from":"+15550000000","to":"+15551230001","body":"bench report ' .. counter .. ' of thread ' .. tostring(id) .. '"}'
          return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer bench-secret"}, body)
        end
        setup = function(thread) thread:set("id", math.random(1, 1000000)) end
        \(paced ? "delay = function() return 10 end" : "")
        """
    }
}
