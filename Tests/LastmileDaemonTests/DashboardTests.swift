import Foundation
import Glibc
import HTTP
import LastmileTestSupport
import Testing

extension WholeSystemSuites {
    /// A real Prometheus scrapes a running demo: every query of the Grafana dashboard returns
    /// data, and the latency histograms' exemplars name canaries whose traces resolve.
    @Suite(.serialized) struct DashboardTests {
        static let binary = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"].first { FileManager.default.isExecutableFile(atPath: $0) }

        /// The demo as a child process, with the URL its metrics are served at.
        final class Demo {
            let process = Process()
            let output = TextBuffer()

            init(duration: String) throws {
                process.executableURL = BuiltProducts.executable("lastmile")
                process.arguments = ["demo", "--duration", duration, "--listen", "127.0.0.1:0"]
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = FileHandle.nullDevice
                let handle = pipe.fileHandleForReading, output = self.output
                try process.run()
                Thread {
                    while true {
                        let data = handle.availableData
                        if data.isEmpty { break }
                        output.append(String(decoding: data, as: UTF8.self))
                    }
                }.start()
            }

            func metricsURL(timeout: Double) async -> URL? {
                let deadline = Date().addingTimeInterval(timeout)
                while Date() < deadline && process.isRunning {
                    if let line = output.text.split(separator: "\n").first(where: { $0.hasPrefix("metrics:") }),
                       let url = URL(string: line.dropFirst("metrics:".count).trimmingCharacters(in: .whitespaces)) {
                        return url
                    }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                return nil
            }

            deinit {
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }
        }

        /// The dashboard's queries with its variables set to everything.
        static func queries() throws -> [(title: String, expr: String)] {
            let data = try Data(contentsOf: BuiltProducts.projectRoot.appendingPathComponent("deploy/grafana/lastmile.json"))
            let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let panels = try #require(dashboard["panels"] as? [[String: Any]])
            return panels.flatMap { panel -> [(String, String)] in
                let targets = panel["targets"] as? [[String: Any]] ?? []
                return targets.compactMap { target in
                    guard let expr = target["expr"] as? String else { return nil }
                    let concrete = expr.replacingOccurrences(of: "$__rate_interval", with: "30s").replacingOccurrences(of: "$__range", with: "5m")
                        .replacingOccurrences(of: "$route", with: ".*").replacingOccurrences(of: "$carrier", with: ".*")
                    return (panel["title"] as? String ?? "?", concrete)
                }
            }
        }

        /// GET `path` with `parameters`, every byte outside the unreserved set percent-encoded.
        static func get(port: UInt16, _ path: String, _ parameters: [(String, String)] = []) async throws -> (status: Int, json: [String: Any]?) {
            let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
            let query = parameters.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")" }
                .joined(separator: "&")
            // Prometheus answers large results chunked, which the client reads.
            let url = try #require(URL(string: "http://127.0.0.1:\(port)\(path)" + (query.isEmpty ? "" : "?" + query)))
            let response = try await HTTPClient().send(HTTPClient.Request(url: url, timeout: 30))
            return (response.status, try? JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        }

        static func prometheusQuery(port: UInt16, _ expr: String) async throws -> [[String: Any]]? {
            let (status, json) = try await get(port: port, "/api/v1/query", [("query", expr)])
            guard status == 200, json?["status"] as? String == "success" else { return nil }
            return (json?["data"] as? [String: Any])?["result"] as? [[String: Any]]
        }

        @Test func everyPanelReturnsDataAndExemplarsLeadToTraces() async throws {
            let binary = try #require(Self.binary, "prometheus is not installed (apt-get install prometheus)")
            let queries = try Self.queries()
            #expect(queries.count >= 12)
            let demo = try Demo(duration: "240s")
            let metrics = try #require(await demo.metricsURL(timeout: 60), "the demo did not start: \(demo.output.text)")
            let directory = try TemporaryDirectory()
            let port = try LoopbackPort.free()
            let config = try directory.write("prometheus.yml", """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: lastmile
                    metrics_path: \(metrics.path)
                    static_configs:
                      - targets: ["127.0.0.1:\(metrics.port ?? 80)"]
                """)
            let prometheus = Process()
            prometheus.executableURL = URL(fileURLWithPath: binary)
            prometheus.arguments = ["--config.file=\(config)", "--storage.tsdb.path=\(directory.path("data"))",
                                    "--web.listen-address=127.0.0.1:\(port)", "--enable-feature=exemplar-storage"]
            prometheus.standardOutput = FileHandle.nullDevice
            prometheus.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.write("prometheus.log", "")))
            try prometheus.run()
            defer {
                prometheus.terminate()
                demo.process.interrupt()
            }

            // Each query is asked until it returns data, for as long as the demo runs.
            for (title, expr) in queries {
                var result: [[String: Any]]?
                while demo.process.isRunning {
                    result = try? await Self.prometheusQuery(port: port, expr)
                    if result?.isEmpty == false { break }
                    try await Task.sleep(for: .milliseconds(500))
                }
                #expect(result?.isEmpty == false, "panel \"\(title)\" returned no data for \(expr)")
            }
            let routes = try await Self.get(port: port, "/api/v1/label/route/values")
            let routeNames = Set((routes.json?["data"] as? [String]) ?? [])
            #expect(routeNames.isSuperset(of: ["healthy", "lying", "queued"]), "the route variable would offer \(routeNames)")

            var ids: [String] = []
            while demo.process.isRunning && ids.isEmpty {
                let now = Date().timeIntervalSince1970
                let (_, json) = try await Self.get(port: port, "/api/v1/query_exemplars",
                                                   [("query", "lastmile_canary_delivery_seconds_bucket"),
                                                    ("start", String(Int(now - 3_600))), ("end", String(Int(now + 60)))])
                let series = json?["data"] as? [[String: Any]] ?? []
                ids = series.flatMap { ($0["exemplars"] as? [[String: Any]]) ?? [] }
                    .compactMap { ($0["labels"] as? [String: String])?["canary_id"] }
                if ids.isEmpty { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(!ids.isEmpty, "Prometheus stored no exemplars")
            for id in Set(ids).prefix(5) {
                let trace = try await LoopbackHTTP.request(port: UInt16(metrics.port ?? 80), path: "/trace/\(id)")
                #expect(trace.status == 200, "exemplar canary \(id) has no trace")
                #expect(trace.body.contains(id))
            }
        }
    }
}
