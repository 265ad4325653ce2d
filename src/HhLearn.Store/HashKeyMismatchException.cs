namespace HhLearn.Store;

/// <summary>The store's hash key is not the one the table's suppression records were written with.</summary>
public sealed class HashKeyMismatchException(string message) : Exception(message);
