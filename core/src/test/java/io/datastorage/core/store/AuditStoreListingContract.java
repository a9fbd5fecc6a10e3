package io.datastorage.core.store;

import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.Phase;
import io.datastorage.core.audit.Severity;
import io.datastorage.core.audit.ValidationPolicy;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link RecordStore#list} promises, for every store: each filter selects exactly the records
 * it names, alone and combined; pages follow the listing order and, walked with their
 * {@code next} position, return every matching record once, even when thousands share one
 * {@code createdAt} and while records keep arriving; the total ignores the position and the limit.
 * The expected answers come from an oracle over the records the test wrote.
 */
public abstract class AuditStoreListingContract {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);
    private static final float[] VECTOR = {0.6f, 0.8f, 0f};

    private RecordStore store;

    /** A new, empty store. */
    protected abstract RecordStore openStore(Clock clock);

    /** Releases what {@link #openStore} took. */
    protected abstract void closeStore();

    @BeforeEach
    void open() {
        store = openStore(CLOCK);
    }

    @AfterEach
    void close() {
        closeStore();
    }

    /** A record as written, with its position. */
    private record Written(UUID id, AuditDraft draft) {
        AuditPosition position() {
            return new AuditPosition(draft.createdAt(), id);
        }
    }

    private static AuditDraft draft(AuditKind kind, String name, String createdAt) {
        Map<String, Object> body = AuditFixtures.valid(kind);
        body.put("name", name);
        body.put("createdAt", createdAt);
        return VALIDATOR.validate(kind, body);
    }

    private List<Written> write(List<AuditDraft> drafts) {
        List<Written> written = new ArrayList<>();
        for (int from = 0; from < drafts.size(); from += 500) {
            List<AuditDraft> batch = drafts.subList(from, Math.min(drafts.size(), from + 500));
            List<Receipt> receipts = store.write(batch.stream().map(d -> new NewRecord(d, VECTOR)).toList(), null)
                    .receipts();
            for (int i = 0; i < batch.size(); i++) {
                written.add(new Written(receipts.get(i).id(), batch.get(i)));
            }
        }
        return written;
    }

    private Written write(AuditDraft draft) {
        return write(List.of(draft)).getFirst();
    }

    /** Every page of the query, from the first, each checked against the limit. */
    private List<AuditPage> walk(AuditQuery query) {
        List<AuditPage> pages = new ArrayList<>();
        AuditPage page = store.list(query);
        pages.add(page);
        while (page.next() != null) {
            assertThat(page.items()).hasSize(query.limit());
            page = store.list(query.after(page.next()));
            pages.add(page);
            assertThat(pages.size()).as("pages").isLessThan(10_000);
        }
        assertThat(page.items().size()).isLessThanOrEqualTo(query.limit());
        return pages;
    }

    private static List<UUID> ids(List<AuditPage> pages) {
        return pages.stream().flatMap(p -> p.items().stream()).map(AuditRecord::id).toList();
    }

    /** The ids of the written records that match, in the listing order. */
    private static List<UUID> expected(List<Written> written, Predicate<AuditDraft> matches) {
        return written.stream().filter(w -> matches.test(w.draft())).map(Written::position)
                .sorted(AuditPosition.LISTING_ORDER).map(AuditPosition::id).toList();
    }

    /** Records of every kind, two namespaces, two phases, labels, severities, over two months with ties. */
    private List<Written> writeGrid() {
        Random random = new Random(7);
        List<AuditDraft> drafts = new ArrayList<>();
        Instant time = Instant.parse("2026-11-02T06:00:00Z");
        for (int i = 0; i < 64; i++) {
            AuditKind kind = AuditKind.values()[i % 4];
            Map<String, Object> body = AuditFixtures.valid(kind);
            body.put("name", i % 9 == 0 ? "dup" : "grid-" + i);
            body.put("namespace", random.nextBoolean() ? "prod" : "staging");
            body.put("phase", random.nextBoolean() ? "Completed" : "Failed");
            body.put("correlationId", "c-" + random.nextInt(3));
            body.put("createdAt", time.toString());
            switch (random.nextInt(4)) {
                case 0 -> body.put("labels", Map.of("team", "payments"));
                case 1 -> body.put("labels", Map.of("team", "search", "tier", "web"));
                case 2 -> body.put("labels", Map.of("quote\"key", "it's \\ \"x\"", "team", "payments"));
                default -> { }
            }
            if (kind == AuditKind.REMEDIATION && random.nextInt(3) > 0) {
                body.put("severity", random.nextBoolean() ? "critical" : "warning");
            }
            drafts.add(VALIDATOR.validate(kind, body));
            if (i % 5 != 0) { // every fifth record shares the createdAt of the one before
                time = time.minus(Duration.ofMinutes(37 * 7));
            }
        }
        return write(drafts);
    }

    private record Case(String name, Consumer<AuditQuery.Builder> filters, Predicate<AuditDraft> matches) {
    }

    @Test
    void selectsExactlyWhatEachFilterNamesAloneAndCombined() {
        List<Written> grid = writeGrid();
        Written sample = grid.stream().filter(w -> w.draft().severity() != null && !w.draft().labels().isEmpty())
                .findFirst().orElseThrow();
        AuditDraft s = sample.draft();
        Instant since = grid.get(20).draft().createdAt();
        Instant until = grid.get(10).draft().createdAt();
        Instant monthStart = Instant.parse("2026-11-01T00:00:00Z");
        List<Case> cases = List.of(
                new Case("no filter", q -> { }, d -> true),
                new Case("one kind", q -> q.kind(AuditKind.WORKFLOW), d -> d.kind() == AuditKind.WORKFLOW),
                new Case("two kinds", q -> q.kinds(List.of(AuditKind.EXECUTION, AuditKind.AI_ANALYSIS)),
                        d -> d.kind() == AuditKind.EXECUTION || d.kind() == AuditKind.AI_ANALYSIS),
                new Case("namespace", q -> q.namespace("staging"), d -> d.namespace().equals("staging")),
                new Case("phase", q -> q.phase(Phase.Failed), d -> d.phase() == Phase.Failed),
                new Case("severity", q -> q.severity(Severity.CRITICAL), d -> d.severity() == Severity.CRITICAL),
                new Case("correlationId", q -> q.correlationId("c-1"), d -> d.correlationId().equals("c-1")),
                new Case("name", q -> q.name("dup"), d -> d.name().equals("dup")),
                new Case("one label", q -> q.label("team", "payments"), d -> "payments".equals(d.labels().get("team"))),
                new Case("two labels", q -> q.label("team", "search").label("tier", "web"),
                        d -> "search".equals(d.labels().get("team")) && "web".equals(d.labels().get("tier"))),
                new Case("label with quotes and backslashes", q -> q.label("quote\"key", "it's \\ \"x\""),
                        d -> d.labels().containsKey("quote\"key")),
                new Case("since, inclusive", q -> q.since(since), d -> !d.createdAt().isBefore(since)),
                new Case("until, exclusive", q -> q.until(until), d -> d.createdAt().isBefore(until)),
                new Case("a window across a month boundary",
                        q -> q.since(monthStart.minus(Duration.ofDays(2))).until(monthStart.plus(Duration.ofDays(1))),
                        d -> !d.createdAt().isBefore(monthStart.minus(Duration.ofDays(2)))
                                && d.createdAt().isBefore(monthStart.plus(Duration.ofDays(1)))),
                new Case("kind, namespace, phase and label", q -> q.kind(AuditKind.REMEDIATION).namespace("prod")
                        .phase(Phase.Completed).label("team", "payments"),
                        d -> d.kind() == AuditKind.REMEDIATION && d.namespace().equals("prod")
                                && d.phase() == Phase.Completed && "payments".equals(d.labels().get("team"))),
                new Case("every filter at once", q -> q.kind(s.kind()).namespace(s.namespace()).phase(s.phase())
                        .severity(s.severity()).correlationId(s.correlationId()).name(s.name())
                        .label("team", s.labels().get("team")).since(s.createdAt()).until(s.createdAt().plusSeconds(1)),
                        d -> d.kind() == s.kind() && d.namespace().equals(s.namespace()) && d.phase() == s.phase()
                                && d.severity() == s.severity() && d.correlationId().equals(s.correlationId())
                                && d.name().equals(s.name()) && s.labels().get("team").equals(d.labels().get("team"))
                                && d.createdAt().equals(s.createdAt())),
                new Case("nothing matches", q -> q.label("team", "nobody"), d -> false));

        SoftAssertions softly = new SoftAssertions();
        for (Case c : cases) {
            List<UUID> expected = expected(grid, c.matches());
            AuditQuery.Builder builder = AuditQuery.builder().limit(4);
            c.filters().accept(builder);
            AuditQuery query = builder.includeTotal(true).build();

            List<AuditPage> pages = walk(query);

            softly.assertThat(ids(pages)).as(c.name()).containsExactlyElementsOf(expected);
            softly.assertThat(pages.getFirst().total()).as(c.name() + ": total").isEqualTo(expected.size());
            softly.assertThat(expected.isEmpty()).as(c.name() + ": the oracle selects some records")
                    .isEqualTo(c.name().equals("nothing matches"));
            softly.assertThat(expected.size() < grid.size() || c.name().equals("no filter"))
                    .as(c.name() + ": the filter leaves some records out").isTrue();
        }
        softly.assertThat(expected(grid, d -> d.name().equals("dup"))).as("sample is found").isNotEmpty();
        softly.assertAll();
    }

    @Test
    void walksTwoThousandFiveHundredRecordsWithOneCreatedAtWithoutLossOrRepeat() {
        List<AuditDraft> drafts = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            drafts.add(draft(AuditKind.values()[i % 4], "tie-" + i, "2026-11-20T10:00:00Z"));
        }
        List<Written> written = write(drafts);

        List<AuditPage> pages = walk(AuditQuery.builder().limit(100).build());

        List<UUID> ids = ids(pages);
        assertThat(pages).hasSize(25);
        assertThat(pages.getLast().next()).isNull();
        assertThat(ids).hasSize(2500).doesNotHaveDuplicates();
        assertThat(ids).containsExactlyElementsOf(expected(written, d -> true));
    }

    @Test
    void pagesStayConsistentWhileRecordsArrive() {
        List<AuditDraft> originals = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            originals.add(draft(AuditKind.values()[i % 4], "original-" + i, "2026-11-20T0" + (i % 10) + ":00:00Z"));
        }
        Set<UUID> originalIds = new HashSet<>(write(originals).stream().map(Written::id).toList());
        Set<UUID> newer = new HashSet<>();
        Set<UUID> older = new HashSet<>();
        List<UUID> seen = new ArrayList<>();
        List<AuditPosition> seenPositions = new ArrayList<>();

        AuditQuery query = AuditQuery.builder().limit(40).build();
        AuditPage page = store.list(query);
        int round = 0;
        while (true) {
            for (AuditRecord item : page.items()) {
                seen.add(item.id());
                seenPositions.add(new AuditPosition(Instant.parse((String) item.document().get("createdAt")), item.id()));
            }
            if (page.next() == null) {
                break;
            }
            // Newer than anything listed: must not appear. Tied with the last item read: may appear once
            // (its id decides its side of the position). Older than everything: must appear.
            newer.add(write(draft(AuditKind.WORKFLOW, "newer-" + round, "2026-11-20T11:00:00Z")).id());
            write(draft(AuditKind.WORKFLOW, "tied-" + round, page.next().createdAt().toString()));
            older.add(write(draft(AuditKind.EXECUTION, "older-" + round, "2026-11-19T00:00:00Z")).id());
            round++;
            page = store.list(query.after(page.next()));
        }

        assertThat(round).isGreaterThan(5);
        assertThat(seen).doesNotHaveDuplicates().containsAll(originalIds).containsAll(older).doesNotContainAnyElementsOf(newer);
        assertThat(seenPositions).isSortedAccordingTo(AuditPosition.LISTING_ORDER);
    }

    @Test
    void countsEveryMatchingRecordWhateverThePageAndOnlyWhenAsked() {
        List<AuditDraft> drafts = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            Map<String, Object> body = AuditFixtures.remediation("count-" + i, "2026-11-20T10:00:0" + (i % 10) + "Z");
            body.put("namespace", i % 5 < 2 ? "counted" : "other");
            drafts.add(VALIDATOR.validate(AuditKind.REMEDIATION, body));
        }
        write(drafts);
        AuditQuery counted = AuditQuery.builder().namespace("counted").limit(4).includeTotal(true).build();

        List<AuditPage> pages = walk(counted);

        assertThat(pages).hasSize(3).allSatisfy(p -> assertThat(p.total()).isEqualTo(10L));
        assertThat(store.list(AuditQuery.builder().namespace("counted").build()).total()).isNull();
        AuditPage none = store.list(AuditQuery.builder().namespace("nowhere").includeTotal(true).build());
        assertThat(none.items()).isEmpty();
        assertThat(none.next()).isNull();
        assertThat(none.total()).isZero();
    }

    @Test
    void endsWithoutANextPageWhenTheLimitMeetsTheLastRecord() {
        List<AuditDraft> drafts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            drafts.add(draft(AuditKind.WORKFLOW, "edge-" + i, "2026-11-20T10:00:0" + i + "Z"));
        }
        List<Written> written = write(drafts);

        AuditPage exact = store.list(AuditQuery.builder().limit(5).build());
        AuditPage first = store.list(AuditQuery.builder().limit(4).build());
        AuditPage second = store.list(AuditQuery.builder().limit(4).after(first.next()).build());

        assertThat(exact.items()).hasSize(5);
        assertThat(exact.next()).isNull();
        assertThat(first.next()).isEqualTo(written.get(1).position());
        assertThat(second.items()).extracting(AuditRecord::id).containsExactly(written.get(0).id());
        assertThat(second.next()).isNull();
    }

    @Test
    void listsRecordsExactlyAsFindReturnsThem() {
        Written embedded = write(draft(AuditKind.AI_ANALYSIS, "as-found", "2026-11-20T10:00:00Z"));
        Receipt pending = store.write(List.of(new NewRecord(draft(AuditKind.EXECUTION, "pending", "2026-11-20T09:00:00Z"),
                null)), null).receipts().getFirst();

        List<AuditRecord> items = store.list(AuditQuery.builder().build()).items();

        assertThat(items).containsExactly(store.find(AuditKind.AI_ANALYSIS, embedded.id()).orElseThrow(),
                store.find(AuditKind.EXECUTION, pending.id()).orElseThrow());
        assertThat(items.get(1).embedded()).isFalse();
        assertThat(items.get(0).document()).containsEntry("name", "as-found");
    }
}
