using System.Security.Cryptography;

namespace HhLearn.Cli.Local;

public sealed record QueueSettings
{
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Receives after which a message moves to the dead-letter queue.</summary>
    public int MaxReceiveCount { get; init; } = 5;

    public TimeSpan DeduplicationWindow { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>A message as handed out by a receive.</summary>
public sealed record ReceivedMessage(string MessageId, string ReceiptHandle, string Body, string GroupId, string DeduplicationId, string SequenceNumber, int ReceiveCount, DateTimeOffset SentAt, DateTimeOffset FirstReceivedAt)
{
    public string Md5OfBody => FifoQueue.Md5(Body);
}

/// <summary>
/// An SQS FIFO queue in memory: strict order within a message group, a group is locked while any of its messages
/// is in flight, deduplication per group within a 5-minute window, visibility timeouts, and a move to the
/// dead-letter queue once a message has been received <c>maxReceiveCount</c> times without being deleted.
/// </summary>
public sealed class FifoQueue(string name, QueueSettings settings, FifoQueue? deadLetter, TimeProvider time) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Entry> _messages = [];
    private readonly Dictionary<(string Group, string Id), (DateTimeOffset At, string MessageId)> _deduplication = [];
    private readonly SemaphoreSlim _signal = new(0);
    private long _sequence;

    public string Name { get; } = name;
    public FifoQueue? DeadLetter { get; } = deadLetter;
    public QueueSettings Settings { get; } = settings;

    public (int Visible, int InFlight) Counts
    {
        get
        {
            lock (_lock)
            {
                var now = time.GetUtcNow();
                var inFlight = _messages.Count(m => m.VisibleAt > now);
                return (_messages.Count - inFlight, inFlight);
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _messages.Count;
            }
        }
    }

    /// <summary>Sends one message; a duplicate within the window returns the first message's id and adds nothing.</summary>
    public (string MessageId, string SequenceNumber) Send(string body, string groupId, string deduplicationId)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            foreach (var stale in _deduplication.Where(kv => now - kv.Value.At > Settings.DeduplicationWindow).Select(kv => kv.Key).ToList())
            {
                _deduplication.Remove(stale);
            }

            if (_deduplication.TryGetValue((groupId, deduplicationId), out var seen))
            {
                return (seen.MessageId, string.Empty);
            }

            var entry = new Entry(Guid.NewGuid().ToString(), body, groupId, deduplicationId, (++_sequence).ToString("D20", System.Globalization.CultureInfo.InvariantCulture), now);
            _messages.Add(entry);
            _deduplication[(groupId, deduplicationId)] = (now, entry.MessageId);
            _signal.Release();
            return (entry.MessageId, entry.SequenceNumber);
        }
    }

    /// <summary>Adds a message moved from another queue, keeping its identity (dead-lettering, redrive).</summary>
    public void Accept(ReceivedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_lock)
        {
            _messages.Add(new Entry(message.MessageId, message.Body, message.GroupId, message.DeduplicationId, (++_sequence).ToString("D20", System.Globalization.CultureInfo.InvariantCulture), message.SentAt)
            {
                ReceiveCount = message.ReceiveCount,
            });
            _signal.Release();
        }
    }

    /// <summary>Receives up to <paramref name="max"/> messages, waiting up to <paramref name="wait"/> for some (long polling).</summary>
    public async Task<IReadOnlyList<ReceivedMessage>> ReceiveAsync(int max, TimeSpan? visibilityTimeout, TimeSpan wait, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            var received = TryReceive(max, visibilityTimeout ?? Settings.VisibilityTimeout);
            var remaining = deadline - time.GetUtcNow();
            if (received.Count > 0 || remaining <= TimeSpan.Zero)
            {
                return received;
            }

            // Wake on a send, or soon anyway: in-flight messages become visible again with time.
            try
            {
                await _signal.WaitAsync(remaining < TimeSpan.FromMilliseconds(200) ? remaining : TimeSpan.FromMilliseconds(200), ct);
            }
            catch (OperationCanceledException)
            {
                return [];
            }
        }
    }

    public bool Delete(string receiptHandle)
    {
        lock (_lock)
        {
            var index = _messages.FindIndex(m => m.ReceiptHandle == receiptHandle);
            if (index < 0)
            {
                return false;
            }

            _messages.RemoveAt(index);
            _signal.Release();
            return true;
        }
    }

    public bool ChangeVisibility(string receiptHandle, TimeSpan timeout)
    {
        lock (_lock)
        {
            var entry = _messages.Find(m => m.ReceiptHandle == receiptHandle);
            if (entry is null)
            {
                return false;
            }

            entry.VisibleAt = time.GetUtcNow() + timeout;
            _signal.Release();
            return true;
        }
    }

    /// <summary>Moves every message of this queue to <paramref name="target"/> (a DLQ redrive).</summary>
    public int MoveAllTo(FifoQueue target)
    {
        ArgumentNullException.ThrowIfNull(target);
        List<Entry> moved;
        lock (_lock)
        {
            moved = [.. _messages];
            _messages.Clear();
        }

        foreach (var entry in moved)
        {
            target.Accept(entry.ToReceived() with { ReceiveCount = 0 });
        }

        return moved.Count;
    }

    public IReadOnlyList<ReceivedMessage> Peek()
    {
        lock (_lock)
        {
            return _messages.Select(m => m.ToReceived()).ToList();
        }
    }

    public void Dispose() => _signal.Dispose();

    public static string Md5(string text)
    {
#pragma warning disable CA5351 // SQS's own checksum of the body is MD5; the SDK verifies it.
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
    }

    private List<ReceivedMessage> TryReceive(int max, TimeSpan visibility)
    {
        var result = new List<ReceivedMessage>();
        var dead = new List<Entry>();
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var lockedGroups = _messages.Where(m => m.VisibleAt > now).Select(m => m.GroupId).ToHashSet(StringComparer.Ordinal);
            var takenGroups = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in _messages.OrderBy(m => m.SequenceNumber, StringComparer.Ordinal))
            {
                if (result.Count >= max)
                {
                    break;
                }

                // A group with a message in flight gives nothing more until that message is done.
                if (lockedGroups.Contains(entry.GroupId) && !takenGroups.Contains(entry.GroupId))
                {
                    continue;
                }

                if (entry.VisibleAt > now)
                {
                    continue;
                }

                if (DeadLetter is not null && entry.ReceiveCount >= Settings.MaxReceiveCount)
                {
                    dead.Add(entry);
                    continue;
                }

                entry.ReceiveCount++;
                entry.FirstReceivedAt ??= now;
                entry.ReceiptHandle = Guid.NewGuid().ToString("N");
                entry.VisibleAt = now + visibility;
                takenGroups.Add(entry.GroupId);
                lockedGroups.Add(entry.GroupId);
                result.Add(entry.ToReceived());
            }

            foreach (var entry in dead)
            {
                _messages.Remove(entry);
            }
        }

        foreach (var entry in dead)
        {
            DeadLetter!.Accept(entry.ToReceived());
        }

        return result;
    }

    private sealed class Entry(string messageId, string body, string groupId, string deduplicationId, string sequenceNumber, DateTimeOffset sentAt)
    {
        public string MessageId { get; } = messageId;
        public string Body { get; } = body;
        public string GroupId { get; } = groupId;
        public string DeduplicationId { get; } = deduplicationId;
        public string SequenceNumber { get; } = sequenceNumber;
        public DateTimeOffset SentAt { get; } = sentAt;
        public int ReceiveCount { get; set; }
        public DateTimeOffset? FirstReceivedAt { get; set; }
        public string? ReceiptHandle { get; set; }
        public DateTimeOffset VisibleAt { get; set; } = DateTimeOffset.MinValue;

        public ReceivedMessage ToReceived() =>
            new(MessageId, ReceiptHandle ?? string.Empty, Body, GroupId, DeduplicationId, SequenceNumber, ReceiveCount, SentAt, FirstReceivedAt ?? SentAt);
    }
}
