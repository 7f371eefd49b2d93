namespace OrleansWallet.Ledger.Journal;

/// <summary>
/// An entry id already in the journal was appended again with different content: the same
/// operation id was used for two different movements, which a retry never does.
/// </summary>
public sealed class LedgerEntryConflictException(string entryId)
    : Exception($"ledger entry '{entryId}' already exists with different content")
{
    public string EntryId { get; } = entryId;
}
