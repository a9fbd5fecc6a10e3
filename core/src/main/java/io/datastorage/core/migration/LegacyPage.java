package io.datastorage.core.migration;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One page of a scan.
 *
 * @param records    the records in scan order
 * @param next       where the next page starts, empty when the scan has reached the end (a page
 *                   shorter than its limit); a record created after this page was read may still
 *                   appear later if its {@code createdAt} lies after {@code next}
 * @param unreadable the stored records this page's range held but the store could not read (each
 *                   also logged): left out of {@code records}, so that a reader walking a whole scan
 *                   (a backfill, a sync validation) can count and name them instead of taking the
 *                   store for smaller than it is. Each is met once in a whole scan; a page of only
 *                   unreadable records has no {@code records} but may still have a {@code next}
 */
public record LegacyPage(List<LegacyRecord> records, Optional<LegacyPosition> next, List<Unreadable> unreadable) {
    public LegacyPage {
        records = List.copyOf(records);
        Objects.requireNonNull(next, "next");
        unreadable = List.copyOf(unreadable);
    }

    /** A page in which every stored record could be read. */
    public LegacyPage(List<LegacyRecord> records, Optional<LegacyPosition> next) {
        this(records, next, List.of());
    }

    /** The page of {@code records} read with {@code limit}: a next position only if the page is full. */
    public static LegacyPage of(List<LegacyRecord> records, int limit) {
        return new LegacyPage(records, records.size() < limit || records.isEmpty()
                ? Optional.empty() : Optional.of(LegacyPosition.of(records.getLast())));
    }

    /**
     * A stored record a scan met but could not read.
     *
     * @param id     the record's id when the store knows it without reading the record (a JSON
     *               file's name, a row's key); empty otherwise
     * @param key    where the store keeps it, as the store names it (a file's path below the store's
     *               directory, a row's key): what an operator looks for
     * @param reason why it cannot be read
     */
    public record Unreadable(Optional<UUID> id, String key, String reason) {
        public Unreadable {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(reason, "reason");
        }

        /** How a report names it: its id when known, else its key. */
        public String name() {
            return id.map(UUID::toString).orElse(key);
        }
    }
}
