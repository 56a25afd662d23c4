import Testing

/// Suites that run the detectors over simulated hours and days, and search thresholds that cost
/// a debug build seconds each. They run one test at a time, off the concurrency pool, so they
/// hold one core and leave the other to the suites beside them, whose loops wait on time.
@Suite(.serialized) enum DetectionSimulationSuites {}

typealias SequentialDetectionTests = DetectionSimulationSuites.SequentialDetectionTests
typealias DetectionBoardTests = DetectionSimulationSuites.DetectionBoardTests
typealias DetectionTargetTests = DetectionSimulationSuites.DetectionTargetTests
