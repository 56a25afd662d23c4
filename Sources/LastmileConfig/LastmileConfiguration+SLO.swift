import LastmileCore

extension LastmileConfiguration {
    /// The configured SLOs as the tracker reads them.
    public var sloDefinitions: [SLODefinition] {
        slos.map { SLODefinition(name: $0.name, indicator: $0.indicator, objective: $0.objective, window: $0.window) }
    }

    /// The evaluator the `[alerting]` section describes.
    public var alertEvaluator: AlertEvaluator {
        AlertEvaluator(tiers: alerting.tiers, minimumEvents: alerting.minEvents, confidence: alerting.confidence)
    }

    /// How the sequential detectors are tuned.
    public var detectionSettings: DetectionSettings {
        var settings = DetectionSettings.standard
        settings.falsePagesPerYear = alerting.falsePagesPerYear
        return settings
    }
}
