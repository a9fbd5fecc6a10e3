package io.datastorage.core.migration;

import io.datastorage.core.ManualClock;
import io.datastorage.core.audit.AuditKind;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The queue's invariants under any sequence of calls (Caffeine-style: checked after every step):
 * an entry is handed to one claim at a time while that claim lasts, the depth is the number of
 * (record, side) keys enqueued and not completed, and only the latest claim of an entry acts, even
 * after the entry was completed and the same write enqueued again.
 */
class InMemorySecondaryWriteQueuePropertiesTest {
    private static final Duration CLAIM = Duration.ofSeconds(5);
    private static final List<UUID> RECORDS = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());

    sealed interface Step {
    }

    record Enqueue(int record, MigrationSide target) implements Step {
    }

    record Claim(int limit) implements Step {
    }

    record Complete(int which) implements Step {
    }

    record Retry(int which, int backoffSeconds) implements Step {
    }

    record Elapse(int seconds) implements Step {
    }

    private record Key(UUID record, MigrationSide target) {
    }

    @Property
    void theQueueKeepsItsInvariantsUnderAnySequenceOfCalls(@ForAll("steps") List<Step> steps) {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-20T12:00:00Z"));
        InMemorySecondaryWriteQueue queue = new InMemorySecondaryWriteQueue(clock);
        Map<Key, Instant> queued = new HashMap<>(); // key → enqueue time
        Map<Key, Instant> claimedUntil = new HashMap<>();
        Map<Key, Integer> attempts = new HashMap<>();
        Map<Key, UUID> latestClaim = new HashMap<>();
        List<SecondaryWriteEntry> held = new ArrayList<>(); // every claim handed out, stale ones too

        for (Step step : steps) {
            Instant now = clock.instant();
            switch (step) {
                case Enqueue e -> {
                    Key key = new Key(RECORDS.get(e.record()), e.target());
                    boolean added = queue.enqueue(new SecondaryWrite(key.record(), AuditKind.WORKFLOW, key.target(), 1));
                    assertThat(added).isEqualTo(!queued.containsKey(key));
                    queued.putIfAbsent(key, now);
                }
                case Claim c -> {
                    for (SecondaryWriteEntry entry : queue.claim(c.limit(), CLAIM)) {
                        Key key = new Key(entry.write().recordId(), entry.write().target());
                        assertThat(claimedUntil.getOrDefault(key, Instant.MIN)).as("claimed while its claim lasts")
                                .isBeforeOrEqualTo(now);
                        assertThat(entry.attempt()).isEqualTo(attempts.getOrDefault(key, 0) + 1);
                        assertThat(entry.enqueuedAt()).isEqualTo(queued.get(key));
                        claimedUntil.put(key, now.plus(CLAIM));
                        attempts.put(key, entry.attempt());
                        latestClaim.put(key, entry.claim());
                        held.add(entry);
                    }
                }
                case Complete c when !held.isEmpty() -> {
                    SecondaryWriteEntry entry = held.get(c.which() % held.size());
                    Key key = new Key(entry.write().recordId(), entry.write().target());
                    boolean latest = entry.claim().equals(latestClaim.get(key));
                    assertThat(queue.complete(entry)).isEqualTo(latest);
                    if (latest) {
                        queued.remove(key);
                        claimedUntil.remove(key);
                        attempts.remove(key);
                        latestClaim.remove(key);
                    }
                }
                case Retry r when !held.isEmpty() -> {
                    SecondaryWriteEntry entry = held.get(r.which() % held.size());
                    Key key = new Key(entry.write().recordId(), entry.write().target());
                    boolean latest = entry.claim().equals(latestClaim.get(key));
                    assertThat(queue.retryLater(entry, Duration.ofSeconds(r.backoffSeconds()), "e")).isEqualTo(latest);
                    if (latest) {
                        claimedUntil.put(key, now.plusSeconds(r.backoffSeconds()));
                    }
                }
                case Elapse e -> clock.advance(Duration.ofSeconds(e.seconds()));
                default -> {
                    // a complete or retry before any claim: nothing to do
                }
            }
            assertThat(queue.backlog().depth()).isEqualTo(queued.size());
            assertThat(queue.backlog().oldestEnqueuedAt())
                    .isEqualTo(queued.values().stream().min(Instant::compareTo));
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Arbitraries.oneOf(
                Combinators.combine(Arbitraries.integers().between(0, RECORDS.size() - 1),
                        Arbitraries.of(MigrationSide.class)).as(Enqueue::new),
                Arbitraries.integers().between(1, 4).map(Claim::new),
                Arbitraries.integers().between(0, 100).map(Complete::new),
                Combinators.combine(Arbitraries.integers().between(0, 100), Arbitraries.integers().between(0, 8))
                        .as(Retry::new),
                Arbitraries.integers().between(0, 7).map(Elapse::new));
        return step.list().ofMaxSize(60);
    }
}
