import LastmileConfig

extension LastmileConfiguration {
    /// What one inbound request may cost the store under this configuration.
    var storagePolicy: IngestStoragePolicy {
        IngestStoragePolicy(unmatchedLimit: store.unmatchedLimit)
    }
}
