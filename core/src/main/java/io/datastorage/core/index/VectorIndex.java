package io.datastorage.core.index;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Where record embeddings are searched by similarity. One entry per record id, ever.
 *
 * <p>Contract (checked for every backend by the shared contract test suite):
 * <ul>
 *   <li>{@link #upsert} is idempotent: writing an id again replaces its entry, never adds one;</li>
 *   <li>{@link #delete} of an absent id is not an error;</li>
 *   <li>{@link #search} applies the filter before taking the top k, so when at least k entries
 *       match the filter, k hits come back, best first, scored by cosine similarity;</li>
 *   <li>{@link #search} counts records, not vectors: entries holding the same vector (equal
 *       {@link VectorIndexes#vectorKey}) tie and come newest {@code createdAt} first, then by
 *       descending id (the listing's order), and each hit carries how many entries passing the filter share its vector;
 *       however many entries share one vector, the others stay as reachable as with none;</li>
 *   <li>an entry whose vector equals the query vector is returned first, scored 1, when it passes
 *       the filter and k covers the entries that tie with it and are newer;</li>
 *   <li>what {@link #upsert} has returned from is visible to {@link #search}, {@link #count} and
 *       {@link #ids} within one second;</li>
 *   <li>{@link #ids} walks every id in ascending order of its canonical string form (the order
 *       PostgreSQL sorts {@code uuid} values in), for reconciliation page by page;</li>
 *   <li>{@link #digest} and {@link #fingerprints} describe exactly what {@link #ids} and
 *       {@link #get} see, so reconciliation can compare slices without reading vectors;</li>
 *   <li>{@link #writtenAt} tells when each entry was last upserted, by the index's clock, so
 *       reconciliation leaves alone an entry whose write may not have committed yet;</li>
 *   <li>a backend that cannot serve a call throws {@link IndexUnavailableException}.</li>
 * </ul>
 */
public interface VectorIndex extends AutoCloseable {

    void upsert(List<IndexEntry> entries);

    void delete(Collection<UUID> ids);

    /**
     * The k best records for a query vector, best first.
     *
     * @param vector a query of {@link #dimension()} components
     * @param k      how many records at most, at least 1
     * @param filter applied before the top k is taken
     * @return at most k hits: score descending; records sharing one vector newest first, then by id descending
     * @throws IllegalArgumentException a vector of the wrong dimension or k below 1
     * @throws IndexUnavailableException the backend cannot answer
     */
    List<IndexHit> search(float[] vector, int k, IndexFilter filter);

    long count();

    /** Up to {@code limit} ids greater than {@code after} (null: from the first), ascending. */
    List<UUID> ids(UUID after, int limit);

    /** The entry stored for this id, if any (its vector and metadata). */
    Optional<IndexEntry> get(UUID id);

    /**
     * Per slice of the id space: how many entries and the XOR of their fingerprints
     * ({@link SliceDigest#fingerprint} of the metadata checksum). This default reads every entry;
     * a backend overrides it with something that does not load vectors.
     */
    default SliceDigest digest(int bits) {
        SliceDigest digest = new SliceDigest(bits);
        UUID after = null;
        for (List<UUID> page = ids(null, 1000); !page.isEmpty(); page = ids(after, 1000)) {
            for (UUID id : page) {
                get(id).ifPresent(entry -> digest.add(id, SliceDigest.fingerprint(entry.metadata().checksum())));
            }
            after = page.getLast();
        }
        return digest;
    }

    /** The fingerprint of every entry in one slice, by id. This default reads the slice's entries. */
    default Map<UUID, Long> fingerprints(int slice, int bits) {
        Map<UUID, Long> fingerprints = new HashMap<>();
        UUID after = IdSlices.before(slice, bits);
        while (true) {
            List<UUID> page = ids(after, 1000);
            for (UUID id : page) {
                if (IdSlices.sliceOf(id, bits) != slice) {
                    return fingerprints;
                }
                get(id).ifPresent(entry -> fingerprints.put(id, SliceDigest.fingerprint(entry.metadata().checksum())));
            }
            if (page.isEmpty()) {
                return fingerprints;
            }
            after = page.getLast();
        }
    }

    /**
     * When each of these entries was last upserted: the index keeps the instant beside the entry
     * (at least to the millisecond; not part of its fingerprint, which covers only what the record
     * says). An id without an entry is left out, and so is an entry whose write time is not known
     * (written before write times were kept): reconciliation takes such an entry for an old one.
     * The instant comes from the clock of whoever performed the upsert; a backend shared by
     * several processes relies on their clocks agreeing to well within the reconciliation's grace
     * period (NTP keeps them within milliseconds).
     *
     * <p>This default knows no write times, so every entry counts as old: right only for an index
     * that nothing but this process writes and that loses nothing across restarts. Every backend
     * of the contract suite overrides it.
     */
    default Map<UUID, Instant> writtenAt(Collection<UUID> ids) {
        return Map.of();
    }

    /**
     * An instant before which every write into this index has ended, committed or not, if the
     * index can know one. An embedded index, which only the process that opened it writes, answers
     * when it was opened: the writes of earlier processes (a crashed one's included) are over, so
     * their orphans need not wait out the grace period. An index other processes write answers
     * empty (this default).
     */
    default Optional<Instant> writesSettledBefore() {
        return Optional.empty();
    }

    /**
     * Makes every upsert and delete that has returned visible to reads now, rather than within
     * the second the contract allows. A backend that reads its own writes at once does nothing.
     */
    default void refresh() {
    }

    /**
     * Whether each call reaches the index over the network (a server or cluster of its own),
     * rather than an index inside this process. The write path asks it to pick its
     * {@linkplain io.datastorage.core.dualwrite.WriteOrder order} when configured {@code auto}: a write should not
     * hold a pooled PostgreSQL connection across a network call. {@code false} unless a backend says otherwise.
     */
    default boolean remote() {
        return false;
    }

    IndexHealth health();

    /** Length of every vector this index holds. */
    int dimension();

    /**
     * What this index says about the writes a crash may have lost, when it keeps entries across
     * restarts and can lose the latest ones; empty (the default) otherwise.
     */
    default Optional<CrashRecovery> crashRecovery() {
        return Optional.empty();
    }

    @Override
    void close();
}
