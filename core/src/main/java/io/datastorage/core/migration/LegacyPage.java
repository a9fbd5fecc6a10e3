package io.datastorage.core.migration;

import java.util.List;
import java.util.Optional;

/**
 * One page of a scan.
 *
 * @param records the records in scan order
 * @param next    where the next page starts, empty when the scan has reached the end (a page
 *                shorter than its limit); a record created after this page was read may still
 *                appear later if its {@code createdAt} lies after {@code next}
 */
public record LegacyPage(List<LegacyRecord> records, Optional<LegacyPosition> next) {
    public LegacyPage {
        records = List.copyOf(records);
    }

    /** The page of {@code records} read with {@code limit}: a next position only if the page is full. */
    public static LegacyPage of(List<LegacyRecord> records, int limit) {
        return new LegacyPage(records, records.size() < limit || records.isEmpty()
                ? Optional.empty() : Optional.of(LegacyPosition.of(records.getLast())));
    }
}
