package io.datastorage.core.migration;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What one {@link SyncValidator} run found. Every difference counted was confirmed by reading both
 * sides again by id, so a write in flight during the run is not counted.
 *
 * @param checked             records compared: each window's count where both sides agreed on count and
 *                            checksum, the ids of either side where they did not
 * @param missingInNew        records the legacy side holds and the new side lacks
 * @param missingInLegacy     records the new side holds and the legacy side lacks
 * @param differing           records both sides hold with other content (canonical JSON), or that one side
 *                            holds but cannot read; never repaired
 * @param repaired            of the missing records, how many were put from the primary onto the other side
 * @param consistent          whether no difference is left: every one found was repaired, and no record
 *                            was unreadable
 * @param durationMillis      how long the run took
 * @param startedAt           when the run started
 * @param missingInNewIds     up to the configured number of example ids of {@code missingInNew}
 * @param missingInLegacyIds  up to the configured number of example ids of {@code missingInLegacy}
 * @param differingIds        up to the configured number of example ids of {@code differing}
 * @param unreadable          records the legacy side holds but its scan could not read
 *                            ({@link LegacyPage#unreadable()}): the sides cannot be shown equal, so
 *                            each one leaves the report inconsistent; never repaired (nothing can be
 *                            copied from an unreadable copy)
 * @param unreadableKeys      up to the configured number of them, each by its id when the legacy store
 *                            knows it, else by its key there (a file's path, a row's key)
 */
public record SyncReport(long checked, long missingInNew, long missingInLegacy, long differing, long repaired,
                         boolean consistent, long durationMillis, Instant startedAt, List<UUID> missingInNewIds,
                         List<UUID> missingInLegacyIds, List<UUID> differingIds, long unreadable,
                         List<String> unreadableKeys) {
    public SyncReport {
        Objects.requireNonNull(startedAt, "startedAt");
        missingInNewIds = List.copyOf(missingInNewIds);
        missingInLegacyIds = List.copyOf(missingInLegacyIds);
        differingIds = List.copyOf(differingIds);
        unreadableKeys = List.copyOf(unreadableKeys);
        if (unreadable < 0) {
            throw new IllegalArgumentException("unreadable must not be negative, was " + unreadable);
        }
        if (consistent && unreadable > 0) {
            throw new IllegalArgumentException("a report with " + unreadable + " unreadable record(s) is not consistent");
        }
    }

    /** A report in which every record could be read. */
    public SyncReport(long checked, long missingInNew, long missingInLegacy, long differing, long repaired,
                      boolean consistent, long durationMillis, Instant startedAt, List<UUID> missingInNewIds,
                      List<UUID> missingInLegacyIds, List<UUID> differingIds) {
        this(checked, missingInNew, missingInLegacy, differing, repaired, consistent, durationMillis, startedAt,
                missingInNewIds, missingInLegacyIds, differingIds, 0, List.of());
    }
}
