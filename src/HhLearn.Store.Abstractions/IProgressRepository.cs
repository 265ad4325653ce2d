namespace HhLearn.Store;

/// <summary>What the projector needs of the store: its ledger and the shared window.</summary>
public interface IProjectionStore : IProjectionLedger, IProjectionWindowStore;

/// <summary>The whole store as composition roots hand it out: every port one implementation serves.</summary>
public interface IProgressRepository : ILearnerRepository, ILegacyImports, IProjectionStore, IUpstreamRecords;
