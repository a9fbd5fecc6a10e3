package io.datastorage.core.migration;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Over random fates of records, both directions and a stop at a random page: once the backfill has
 * ended (resumed as often as it stopped), the target holds every record the source still holds, each
 * record it held before is unchanged, and no record removed from the source during the run is on it.
 */
@PropertyDefaults(tries = 60)
class BackfillPropertiesTest {

    /** Where record {@code n} is when the backfill starts, or what happens to it during the run. */
    enum Fate { SOURCE_ONLY, BOTH, TARGET_OTHER_CONTENT, TARGET_ONLY, REMOVED_FROM_SOURCE_DURING_RUN }

    @Property
    void theTargetEndsWithEverySourceRecordNothingOverwrittenNothingResurrected(
            @ForAll("fates") List<Fate> fates, @ForAll boolean backwards, @ForAll @IntRange(min = 1, max = 6) int stopAfter) {
        BackfillFixture fixture = new BackfillFixture();
        BackfillDirection direction = backwards ? BackfillDirection.NEW_TO_LEGACY : BackfillDirection.LEGACY_TO_NEW;
        RecordSink source = backwards ? fixture.sides.newSink : RecordSink.of(fixture.sides.legacyStore);
        RecordSink target = backwards ? RecordSink.of(fixture.sides.legacyStore) : fixture.sides.newSink;
        Set<UUID> removed = new HashSet<>();
        for (int n = 0; n < fates.size(); n++) {
            LegacyRecord record = BackfillFixture.record(n);
            switch (fates.get(n)) {
                case SOURCE_ONLY, REMOVED_FROM_SOURCE_DURING_RUN -> source.put(record);
                case BOTH -> {
                    source.put(record);
                    target.put(record);
                }
                case TARGET_OTHER_CONTENT -> {
                    source.put(record);
                    target.put(SyncFixture.record(n, record.createdAt(), "rr-target-" + n, "0.5"));
                }
                case TARGET_ONLY -> target.put(record);
            }
            if (fates.get(n) == Fate.REMOVED_FROM_SOURCE_DURING_RUN) {
                removed.add(record.id());
            }
        }
        Map<UUID, LegacyRecord> targetBefore = backwards ? fixture.sides.allLegacy() : fixture.sides.allNew();
        fixture.beforePut = batch -> batch.stream().filter(r -> removed.contains(r.id())).forEach(r -> {
            if (backwards) {
                fixture.sides.newStore.undo(List.of(new io.datastorage.core.store.Receipt(r.id(), r.kind(), "c", "t",
                        false, false)), null);
            } else {
                fixture.sides.legacyStore.remove(r.kind(), r.id());
            }
        });
        AtomicInteger pages = new AtomicInteger();
        BackfillResult result = null;
        try {
            result = fixture.backfill().run(direction, () -> pages.incrementAndGet() <= stopAfter, progress -> { });
        } catch (CancellationException stopped) {
            result = fixture.run(direction);
        }
        // Removed from the source during the run, unless the run read past it before: then it was removed
        // from the source before its page was read, or after its copy was checked. Either way, not on the target.
        Map<UUID, LegacyRecord> sourceAfter = backwards ? fixture.sides.allNew() : fixture.sides.allLegacy();
        Map<UUID, LegacyRecord> targetAfter = backwards ? fixture.sides.allLegacy() : fixture.sides.allNew();

        assertThat(result.complete()).isTrue();
        assertThat(result.copied() + result.skipped()).isEqualTo(result.scanned());
        for (LegacyRecord record : sourceAfter.values()) {
            assertThat(targetAfter).as("copied %s", record.id()).containsKey(record.id());
        }
        targetBefore.forEach((id, before) ->
                assertThat(targetAfter.get(id).sameContentAs(before)).as("unchanged %s", id).isTrue());
        for (UUID id : removed) {
            if (!sourceAfter.containsKey(id)) {
                assertThat(targetAfter).as("not resurrected %s", id).doesNotContainKey(id);
            }
        }
        assertThat(targetAfter.size()).isEqualTo(targetBefore.size() + sourceAfter.keySet().stream()
                .filter(id -> !targetBefore.containsKey(id)).count());
    }

    @Provide
    Arbitrary<List<Fate>> fates() {
        return Arbitraries.of(Fate.class).list().ofMinSize(0).ofMaxSize(450);
    }
}
