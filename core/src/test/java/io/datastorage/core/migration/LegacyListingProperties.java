package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.Phase;
import io.datastorage.core.audit.Severity;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.store.AuditPage;
import io.datastorage.core.store.AuditQuery;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.InMemoryAuditStore;
import io.datastorage.core.store.NewRecord;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LegacyListing} over a legacy store answers every page exactly as the in-memory audit store
 * (whose listing the listing contract holds to PostgreSQL's) does for the same records: random
 * records (ties on createdAt, labels, legacy ids, every filtered field) and random queries (every
 * filter, limits, totals), every page walked. A subclass per legacy store supplies an empty store.
 */
public abstract class LegacyListingProperties {
    private static final Instant BASE = Instant.parse("2026-10-30T22:00:00Z");
    private static final Clock CLOCK = Clock.fixed(BASE.plus(Duration.ofDays(60)), ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);
    private static final List<Map<String, String>> LABELS = List.of(Map.of(), Map.of("team", "payments"),
            Map.of("team", "search", "tier", "web"), Map.of("team", "payments", "tier", "web"));
    private static final List<Map<String, String>> QUERIED_LABELS = List.of(Map.of("team", "payments"),
            Map.of("tier", "web"), Map.of("team", "search", "tier", "web"), Map.of("team", "nobody"));

    /** An empty legacy store, new for each try. */
    protected abstract LegacyStore newLegacyStore();

    /** A record to write to both sides. */
    record Written(UUID id, String legacyId, AuditDraft draft) {
    }

    @Property
    void everyPageOfTheLegacyListingIsThePageOfTheAuditStore(@ForAll("records") List<Written> records,
                                                               @ForAll("queries") AuditQuery query) {
        InMemoryAuditStore audit = new InMemoryAuditStore(CLOCK);
        Set<UUID> ids = new HashSet<>();
        List<NewRecord> batch = new ArrayList<>();
        try (LegacyStore legacy = newLegacyStore()) {
            for (Written record : records) {
                if (!ids.add(record.id())) {
                    continue; // a legacy id drawn twice
                }
                batch.add(new NewRecord(record.draft(), null, record.id(), record.legacyId()));
                legacy.put(new LegacyRecord(record.id(), record.draft().kind(), record.draft().createdAt(),
                        record.draft().document(), record.legacyId()));
            }
            if (!batch.isEmpty()) {
                audit.write(batch, null);
            }

            AuditQuery current = query;
            for (int pages = 0; ; pages++) {
                AuditPage expected = audit.list(current);
                AuditPage actual = LegacyListing.list(legacy, current);

                assertThat(actual.items()).extracting(LegacyListingProperties::listed)
                        .as("page %d of %s", pages, current)
                        .containsExactlyElementsOf(expected.items().stream().map(LegacyListingProperties::listed).toList());
                assertThat(actual.next()).isEqualTo(expected.next());
                assertThat(actual.total()).isEqualTo(expected.total());
                for (AuditRecord item : actual.items()) {
                    assertThat(item.receivedAt()).isEqualTo(item.document().get("createdAt") == null ? null
                            : Instant.parse((String) item.document().get("createdAt")));
                    assertThat(item.embedded() || item.vectorIndexed()).isFalse();
                }
                if (expected.next() == null) {
                    break;
                }
                current = current.after(expected.next());
            }
        }
    }

    /** What a listing shows of a record, except the times and flags only the new store keeps. */
    private static List<Object> listed(AuditRecord record) {
        return List.of(record.id(), record.kind(), record.document(), String.valueOf(record.legacyId()));
    }

    @Provide
    Arbitrary<List<Written>> records() {
        return Arbitraries.randomValue(LegacyListingProperties::record).list().ofMaxSize(40);
    }

    private static Written record(Random random) {
        AuditKind kind = AuditKind.values()[random.nextInt(AuditKind.values().length)];
        Map<String, Object> body = AuditFixtures.valid(kind);
        body.put("name", "n-" + random.nextInt(3));
        body.put("namespace", random.nextBoolean() ? "prod" : "staging");
        body.put("phase", Phase.values()[random.nextInt(Phase.values().length)].name());
        body.put("correlationId", "c-" + random.nextInt(3));
        // few instants, so that many records share one; some a microsecond apart
        body.put("createdAt", BASE.plus(Duration.ofHours(7L * random.nextInt(8))).plusNanos(1000L * random.nextInt(2))
                .toString());
        Map<String, String> labels = LABELS.get(random.nextInt(LABELS.size()));
        if (!labels.isEmpty()) {
            body.put("labels", labels);
        }
        if (kind == AuditKind.REMEDIATION && random.nextInt(3) > 0) {
            body.put("severity", Severity.values()[random.nextInt(Severity.values().length)].wireName());
        }
        AuditDraft draft = VALIDATOR.validate(kind, body);
        if (random.nextInt(4) == 0) {
            String legacyId = "evt-" + random.nextInt(1000);
            return new Written(LegacyIds.toUuid(legacyId), legacyId, draft);
        }
        return new Written(new UUID(random.nextLong(), random.nextLong()), null, draft);
    }

    @Provide
    Arbitrary<AuditQuery> queries() {
        return Arbitraries.randomValue(LegacyListingProperties::query);
    }

    private static AuditQuery query(Random random) {
        AuditQuery.Builder query = AuditQuery.builder();
        EnumSet<AuditKind> kinds = EnumSet.noneOf(AuditKind.class);
        for (AuditKind kind : AuditKind.values()) {
            if (random.nextInt(3) > 0) {
                kinds.add(kind);
            }
        }
        if (kinds.isEmpty()) {
            kinds.add(AuditKind.values()[random.nextInt(AuditKind.values().length)]);
        }
        query.kinds(kinds);
        if (random.nextInt(4) == 0) {
            query.namespace(random.nextBoolean() ? "prod" : "staging");
        }
        if (random.nextInt(4) == 0) {
            query.phase(Phase.values()[random.nextInt(Phase.values().length)]);
        }
        if (random.nextInt(4) == 0) {
            query.severity(Severity.values()[random.nextInt(Severity.values().length)]);
        }
        if (random.nextInt(4) == 0) {
            query.correlationId("c-" + random.nextInt(3));
        }
        if (random.nextInt(4) == 0) {
            query.name("n-" + random.nextInt(3));
        }
        if (random.nextInt(4) == 0) {
            QUERIED_LABELS.get(random.nextInt(QUERIED_LABELS.size())).forEach(query::label);
        }
        Instant since = null;
        if (random.nextInt(4) == 0) {
            since = BASE.plus(Duration.ofHours(7L * random.nextInt(8))).plusNanos(1000L * random.nextInt(2));
            query.since(since);
        }
        if (random.nextInt(4) == 0) {
            Instant until = BASE.plus(Duration.ofHours(7L * random.nextInt(9))).plusNanos(1000L * random.nextInt(2));
            query.until(since != null && until.isBefore(since) ? since : until);
        }
        return query.limit(1 + random.nextInt(7)).includeTotal(random.nextBoolean()).build();
    }
}
