extension Canary {
    /// Applies `change` here and appends the transitions it made to `transitions`; also says
    /// whether it decided the verdict.
    mutating func changing<Value>(recordingIn transitions: inout [CanaryTransition], _ change: (inout Canary) -> Value)
        -> (settled: Bool, value: Value) {
        let prior = CanaryTransition.Prior(self)
        let value = change(&self)
        CanaryTransition.append(from: prior, self, to: &transitions)
        return (prior.verdict == nil && verdict != nil, value)
    }
}
