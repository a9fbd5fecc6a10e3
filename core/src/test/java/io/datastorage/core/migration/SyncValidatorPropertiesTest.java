package io.datastorage.core.migration;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Over random records, fates and settings, the validator reports what reading both sides whole finds. */
@PropertyDefaults(tries = 200)
class SyncValidatorPropertiesTest {
    private static final Instant START = Instant.parse("2026-11-17T00:00:00Z");

    /** Where record {@code n} ends up. */
    enum Fate { BOTH, LEGACY_ONLY, NEW_ONLY, ALTERED_IN_LEGACY, SPELLED_OTHERWISE_IN_LEGACY, NOWHERE }

    record Placed(long micros, Fate fate) {
    }

    @Property
    void theReportEqualsABruteForceComparisonOfBothSides(@ForAll("records") List<Placed> records,
                                                         @ForAll("windows") Duration window,
                                                         @ForAll("pageSizes") int pageSize) {
        SyncFixture fixture = new SyncFixture();
        for (int n = 0; n < records.size(); n++) {
            Placed placed = records.get(n);
            Instant createdAt = START.plusNanos(placed.micros() * 1000);
            LegacyRecord record = SyncFixture.record(n, createdAt);
            switch (placed.fate()) {
                case BOTH -> fixture.putOnBoth(record);
                case LEGACY_ONLY -> fixture.legacyStore.put(record);
                case NEW_ONLY -> fixture.newSink.put(record);
                case ALTERED_IN_LEGACY -> {
                    fixture.newSink.put(record);
                    fixture.legacyStore.put(SyncFixture.record(n, createdAt, "rr-changed-" + n, "0.5"));
                }
                case SPELLED_OTHERWISE_IN_LEGACY -> {
                    fixture.newSink.put(record);
                    fixture.legacyStore.put(SyncFixture.record(n, createdAt, "rr-" + n, "0.500"));
                }
                case NOWHERE -> { }
            }
        }
        Map<UUID, LegacyRecord> legacy = fixture.allLegacy();
        Map<UUID, LegacyRecord> fresh = fixture.allNew();
        Set<UUID> all = new HashSet<>(legacy.keySet());
        all.addAll(fresh.keySet());
        List<UUID> missingInNew = all.stream().filter(id -> !fresh.containsKey(id)).toList();
        List<UUID> missingInLegacy = all.stream().filter(id -> !legacy.containsKey(id)).toList();
        List<UUID> differing = all.stream()
                .filter(id -> legacy.containsKey(id) && fresh.containsKey(id) && !legacy.get(id).sameContentAs(fresh.get(id)))
                .toList();

        SyncReport report = fixture.validator(new SyncValidator.Settings(window, pageSize, 1000))
                .validate(SyncValidator.Progress.NONE);

        assertThat(report.checked()).isEqualTo(all.size());
        assertThat(report.missingInNewIds()).containsExactlyInAnyOrderElementsOf(missingInNew);
        assertThat(report.missingInLegacyIds()).containsExactlyInAnyOrderElementsOf(missingInLegacy);
        assertThat(report.differingIds()).containsExactlyInAnyOrderElementsOf(differing);
        assertThat(report.missingInNew()).isEqualTo(missingInNew.size());
        assertThat(report.missingInLegacy()).isEqualTo(missingInLegacy.size());
        assertThat(report.differing()).isEqualTo(differing.size());
        assertThat(report.consistent()).isEqualTo(missingInNew.isEmpty() && missingInLegacy.isEmpty() && differing.isEmpty());
    }

    @Provide
    Arbitrary<List<Placed>> records() {
        // within three days, often on the same microsecond or a window's edge
        Arbitrary<Long> micros = Arbitraries.oneOf(
                Arbitraries.longs().between(0, Duration.ofDays(3).toNanos() / 1000),
                Arbitraries.longs().between(0, 3).map(hours -> Duration.ofHours(hours).toNanos() / 1000),
                Arbitraries.just(0L));
        return Combinators.combine(micros, Arbitraries.of(Fate.class)).as(Placed::new).list().ofMaxSize(25);
    }

    @Provide
    Arbitrary<Duration> windows() {
        return Arbitraries.of(Duration.ofNanos(1000), Duration.ofMinutes(7), Duration.ofHours(1), Duration.ofDays(1),
                Duration.ofDays(30));
    }

    @Provide
    Arbitrary<Integer> pageSizes() {
        return Arbitraries.integers().between(1, 5);
    }
}
