package io.datastorage.core.index;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The in-memory index: exact search over a sorted map. A test double for the coordinator's tests
 * (it can be switched {@linkplain #down(boolean) down}) and the reference the contract suite holds
 * every backend to. It keeps each entry's write time, by its clock, beside the entry.
 */
public final class InMemoryVectorIndex implements VectorIndex {
    private final int dimension;
    private final Clock clock;
    private final ConcurrentSkipListMap<String, IndexEntry> entries = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListMap<String, Instant> writtenAt = new ConcurrentSkipListMap<>();
    private final AtomicBoolean down = new AtomicBoolean();

    public InMemoryVectorIndex(int dimension) {
        this(dimension, Clock.systemUTC());
    }

    /** @param clock what write times are read from */
    public InMemoryVectorIndex(int dimension, Clock clock) {
        this.dimension = dimension;
        this.clock = clock;
    }

    /** While down, every call but {@link #health} throws {@link IndexUnavailableException}. */
    public InMemoryVectorIndex down(boolean isDown) {
        down.set(isDown);
        return this;
    }

    private void checkUp() {
        if (down.get()) {
            throw new IndexUnavailableException("in-memory index switched down", null);
        }
    }

    @Override
    public void upsert(List<IndexEntry> batch) {
        checkUp();
        batch.forEach(entry -> VectorIndexes.checkEntry(entry, dimension));
        Instant now = clock.instant();
        batch.forEach(entry -> {
            entries.put(entry.id().toString(), entry);
            writtenAt.put(entry.id().toString(), now);
        });
    }

    @Override
    public void delete(Collection<UUID> ids) {
        checkUp();
        ids.forEach(id -> {
            entries.remove(id.toString());
            writtenAt.remove(id.toString());
        });
    }

    @Override
    public List<IndexHit> search(float[] vector, int k, IndexFilter filter) {
        checkUp();
        VectorIndexes.checkQuery(vector, k, dimension);
        List<IndexEntry> matching = entries.values().stream().filter(entry -> filter.matches(entry.metadata())).toList();
        Map<String, Long> sharing = matching.stream()
                .collect(Collectors.groupingBy(entry -> VectorIndexes.vectorKey(entry.vector()), Collectors.counting()));
        Comparator<IndexEntry> newestFirst = Comparator.comparing((IndexEntry entry) -> entry.metadata().createdAt())
                .reversed().thenComparing(entry -> entry.id().toString(), Comparator.reverseOrder());
        return matching.stream()
                .map(entry -> Map.entry(entry, VectorIndexes.cosine(vector, entry.vector())))
                .sorted(Map.Entry.<IndexEntry, Double>comparingByValue().reversed()
                        .thenComparing(Map.Entry::getKey, newestFirst))
                .limit(k)
                .map(scored -> new IndexHit(scored.getKey().id(), scored.getValue(),
                        sharing.get(VectorIndexes.vectorKey(scored.getKey().vector()))))
                .toList();
    }

    @Override
    public long count() {
        checkUp();
        return entries.size();
    }

    @Override
    public List<UUID> ids(UUID after, int limit) {
        checkUp();
        List<UUID> page = new ArrayList<>(limit);
        for (String id : (after == null ? entries : entries.tailMap(after.toString(), false)).keySet()) {
            if (page.size() == limit) {
                break;
            }
            page.add(UUID.fromString(id));
        }
        return page;
    }

    @Override
    public Optional<IndexEntry> get(UUID id) {
        checkUp();
        return Optional.ofNullable(entries.get(id.toString()));
    }

    @Override
    public Map<UUID, Instant> writtenAt(Collection<UUID> ids) {
        checkUp();
        Map<UUID, Instant> times = new HashMap<>();
        ids.forEach(id -> {
            Instant at = writtenAt.get(id.toString());
            if (at != null) {
                times.put(id, at);
            }
        });
        return times;
    }

    @Override
    public IndexHealth health() {
        return down.get() ? IndexHealth.down("switched down") : IndexHealth.up("in-memory, " + entries.size() + " entries");
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public void close() {
    }
}
