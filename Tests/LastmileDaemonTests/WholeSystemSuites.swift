import Testing

/// Suites that drive whole daemons, simulators and real tools over loopback, with verdicts that
/// depend on timing. They run one at a time (beside the lighter suites) so that no two of them
/// compete for a small machine's cores and push an arrival across a threshold or deadline.
@Suite(.serialized) enum WholeSystemSuites {}

typealias DemoTests = WholeSystemSuites.DemoTests
typealias AlertingTests = WholeSystemSuites.AlertingTests
typealias RealAlertmanagerTests = WholeSystemSuites.RealAlertmanagerTests
typealias EndToEndTests = WholeSystemSuites.EndToEndTests
typealias GroundTruthTests = WholeSystemSuites.GroundTruthTests
typealias FaultTests = WholeSystemSuites.FaultTests
typealias LifecycleTests = WholeSystemSuites.LifecycleTests
