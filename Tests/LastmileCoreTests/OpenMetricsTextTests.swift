import Foundation
import Testing
@testable import LastmileCore

/// OpenMetrics: the same samples as Prometheus text, counters named as OpenMetrics names them,
/// exemplars on the buckets their observations fell in, and `# EOF`.
@Suite struct OpenMetricsTextTests {
    @Test func aLabelValueWithACarriageReturnAndNewlineKeepsItsSampleOnOneLine() {
        #expect(PrometheusText.escapeLabel("a\r\nb\"c\\") == #"a\#r\nb\"c\\"#)
    }

    @Test func countersHistogramsAndExemplarsAreWrittenAsOpenMetricsAsks() {
        var histogram = Histogram(bounds: [1, 5])
        histogram.observe(0.5)
        histogram.observe(3.25, exemplar: Exemplar(labels: ["canary_id": "c-1"], timestamp: Date(timeIntervalSince1970: 1_800_000_000.5)))
        histogram.observe(99, exemplar: Exemplar(labels: ["canary_id": "c-2"], timestamp: Date(timeIntervalSince1970: 1_800_000_001)))
        let families = [
            MetricDefinition.canariesSent.family([["route": "r", "carrier": "c", "probe": "p"]: 3]),
            MetricDefinition.canaryDeliverySeconds.family(histograms: [["route": "r", "carrier": "c"]: histogram]),
        ]
        let text = OpenMetricsText.render(families)
        #expect(text.contains("# TYPE lastmile_canaries_sent counter\n"))
        #expect(text.contains(#"lastmile_canaries_sent_total{carrier="c",probe="p",route="r"} 3"#))
        #expect(text.contains(#"lastmile_canary_delivery_seconds_bucket{carrier="c",route="r",le="1"} 1"# + "\n"))
        #expect(text.contains(#"lastmile_canary_delivery_seconds_bucket{carrier="c",route="r",le="5"} 2 # {canary_id="c-1"} 3.25 1800000000.500"#))
        #expect(text.contains(#"lastmile_canary_delivery_seconds_bucket{carrier="c",route="r",le="+Inf"} 3 # {canary_id="c-2"} 99 1800000001.000"#))
        #expect(text.hasSuffix("# EOF\n"))
        // The Prometheus text format carries no exemplars.
        #expect(!PrometheusText.render(families).contains("canary_id"))
    }

    @Test func acceptHeadersAreRead() {
        #expect(OpenMetricsText.isAccepted(by: "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"))
        #expect(OpenMetricsText.isAccepted(by: "text/plain;q=0.5, application/openmetrics-text; version=0.0.1; q=0.75"))
        #expect(!OpenMetricsText.isAccepted(by: "application/openmetrics-text;q=0"))
        #expect(!OpenMetricsText.isAccepted(by: "text/plain"))
        #expect(!OpenMetricsText.isAccepted(by: nil))
    }
}
