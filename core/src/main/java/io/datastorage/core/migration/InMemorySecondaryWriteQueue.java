package io.datastorage.core.migration;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@link SecondaryWriteQueue} in this process, judged by the given clock: for tests, which pass a
 * clock they move, and for a single process that can afford to lose the queue with the process
 * (nothing durable does: the service's queue is {@code PostgresSecondaryWriteQueue}).
 */
public final class InMemorySecondaryWriteQueue implements SecondaryWriteQueue {
    private record Key(UUID recordId, MigrationSide target) {
    }

    private record Entry(SecondaryWrite write, Instant enqueuedAt, Instant dueAt, int attempts, String lastError,
                         UUID claim) {
    }

    private static final Comparator<Entry> CLAIM_ORDER = Comparator.comparing(Entry::dueAt)
            .thenComparing(Entry::enqueuedAt);

    private final Clock clock;
    private final Map<Key, Entry> entries = new HashMap<>();

    public InMemorySecondaryWriteQueue(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized int enqueue(List<SecondaryWrite> writes, Duration dueIn) {
        Objects.requireNonNull(writes, "writes").forEach(write -> Objects.requireNonNull(write, "write"));
        SecondaryWriteQueue.checkDueIn(dueIn);
        Instant now = clock.instant();
        int added = 0;
        for (SecondaryWrite write : writes) {
            if (entries.putIfAbsent(key(write), new Entry(write, now, now.plus(dueIn), 0, null, null)) == null) {
                added++;
            }
        }
        return added;
    }

    @Override
    public synchronized int discard(List<SecondaryWrite> writes) {
        Objects.requireNonNull(writes, "writes").forEach(write -> Objects.requireNonNull(write, "write"));
        int removed = 0;
        for (SecondaryWrite write : writes) {
            if (entries.remove(key(write)) != null) {
                removed++;
            }
        }
        return removed;
    }

    @Override
    public synchronized List<SecondaryWriteEntry> claim(int limit, Duration duration) {
        SecondaryWriteQueue.checkClaim(limit, duration);
        Instant now = clock.instant();
        List<Entry> due = entries.values().stream()
                .filter(entry -> !entry.dueAt().isAfter(now))
                .sorted(CLAIM_ORDER)
                .limit(limit)
                .toList();
        List<SecondaryWriteEntry> claimed = new ArrayList<>(due.size());
        UUID claim = UUID.randomUUID();
        for (Entry entry : due) {
            Entry taken = new Entry(entry.write(), entry.enqueuedAt(), now.plus(duration), entry.attempts() + 1,
                    entry.lastError(), claim);
            entries.put(key(entry.write()), taken);
            claimed.add(new SecondaryWriteEntry(taken.write(), taken.enqueuedAt(), taken.attempts(), taken.lastError(),
                    claim, now));
        }
        return claimed;
    }

    @Override
    public synchronized boolean complete(SecondaryWriteEntry entry) {
        Objects.requireNonNull(entry, "entry");
        Key key = key(entry.write());
        if (!isLatestClaim(key, entry)) {
            return false;
        }
        entries.remove(key);
        return true;
    }

    @Override
    public synchronized boolean retryLater(SecondaryWriteEntry entry, Duration backoff, String error) {
        String kept = SecondaryWriteQueue.checkRetry(entry, backoff, error);
        Key key = key(entry.write());
        if (!isLatestClaim(key, entry)) {
            return false;
        }
        Entry stored = entries.get(key);
        entries.put(key, new Entry(stored.write(), stored.enqueuedAt(), clock.instant().plus(backoff),
                stored.attempts(), kept, stored.claim()));
        return true;
    }

    @Override
    public synchronized boolean holds(UUID recordId, MigrationSide target) {
        return entries.containsKey(new Key(Objects.requireNonNull(recordId, "recordId"), Objects.requireNonNull(target, "target")));
    }

    @Override
    public synchronized boolean holdsAny(MigrationSide target) {
        Objects.requireNonNull(target, "target");
        return entries.keySet().stream().anyMatch(key -> key.target() == target);
    }

    @Override
    public synchronized Backlog backlog() {
        return new Backlog(entries.size(), entries.values().stream().map(Entry::enqueuedAt).min(Comparator.naturalOrder()));
    }

    private boolean isLatestClaim(Key key, SecondaryWriteEntry entry) {
        Entry stored = entries.get(key);
        return stored != null && entry.claim().equals(stored.claim());
    }

    private static Key key(SecondaryWrite write) {
        return new Key(write.recordId(), write.target());
    }
}
