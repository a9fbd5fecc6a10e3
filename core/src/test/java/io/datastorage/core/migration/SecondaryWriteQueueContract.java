package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@link SecondaryWriteQueue} promises, for every implementation. */
public abstract class SecondaryWriteQueueContract {
    protected static final Duration CLAIM = Duration.ofMinutes(1);

    /** An empty queue. */
    protected abstract SecondaryWriteQueue queue();

    /** Lets {@code time} pass on the clock the queue is judged by. */
    protected abstract void elapse(Duration time);

    protected static SecondaryWrite write(MigrationSide target) {
        return new SecondaryWrite(UUID.randomUUID(), AuditKind.WORKFLOW, target, 3);
    }

    /**
     * The queue job drops the entry of a record its source has not held for the missing grace, by
     * this age: measured by the queue's clock alone, so a replica whose clock runs ahead (clock skew)
     * cannot age an entry whose primary write is still committing.
     */
    @Test
    void anEntrysAgeIsMeasuredByTheQueuesOwnClockSoASkewedReplicaCannotAgeIt() {
        SecondaryWriteQueue queue = queue();
        queue.enqueue(write(MigrationSide.NEW));
        elapse(Duration.ofMinutes(5));

        assertThat(queue.claim(10, CLAIM)).singleElement().satisfies(entry -> {
            assertThat(entry.claimedAt()).isAfterOrEqualTo(entry.enqueuedAt());
            assertThat(entry.age()).isEqualTo(Duration.between(entry.enqueuedAt(), entry.claimedAt()))
                    .isGreaterThanOrEqualTo(Duration.ofMinutes(5));
        });
    }

    @Test
    void anEnqueuedWriteIsDueAtOnceWithWhatItWasEnqueuedWith() {
        SecondaryWriteQueue queue = queue();
        SecondaryWrite write = new SecondaryWrite(UUID.randomUUID(), AuditKind.REMEDIATION, MigrationSide.LEGACY, 7);

        assertThat(queue.enqueue(write)).isTrue();

        List<SecondaryWriteEntry> claimed = queue.claim(10, CLAIM);
        assertThat(claimed).singleElement().satisfies(entry -> {
            assertThat(entry.write()).isEqualTo(write);
            assertThat(entry.attempt()).isEqualTo(1);
            assertThat(entry.previousError()).isEmpty();
        });
    }

    @Test
    void enqueueingTheSameRecordForTheSameSideAgainChangesNothing() {
        SecondaryWriteQueue queue = queue();
        SecondaryWrite write = write(MigrationSide.NEW);
        queue.enqueue(write);

        assertThat(queue.enqueue(new SecondaryWrite(write.recordId(), write.kind(), write.target(), 4))).isFalse();
        assertThat(queue.enqueue(List.of(write, write(MigrationSide.NEW)))).as("only the new one is added").isEqualTo(1);
        SecondaryWrite twice = write(MigrationSide.NEW);
        assertThat(queue.enqueue(List.of(twice, twice))).as("twice in one call").isEqualTo(1);
        assertThat(queue.enqueue(List.of())).isZero();
        assertThat(queue.enqueue(new SecondaryWrite(write.recordId(), write.kind(), MigrationSide.LEGACY, 3)))
                .as("the other side is another entry").isTrue();

        assertThat(queue.backlog().depth()).isEqualTo(4);
        assertThat(queue.claim(10, CLAIM)).filteredOn(entry -> entry.write().target() == MigrationSide.NEW
                        && entry.write().recordId().equals(write.recordId()))
                .singleElement().satisfies(entry -> assertThat(entry.write().phaseVersion()).isEqualTo(3));
    }

    @Test
    void aClaimedEntryIsNotClaimedAgainWhileItsClaimLasts() {
        SecondaryWriteQueue queue = queue();
        queue.enqueue(write(MigrationSide.LEGACY));
        queue.claim(10, CLAIM);

        elapse(CLAIM.minusSeconds(1));

        assertThat(queue.claim(10, CLAIM)).isEmpty();
        assertThat(queue.backlog().depth()).as("claimed entries are still queued").isEqualTo(1);
    }

    @Test
    void aClaimTakesAtMostItsLimitTheLongestDueFirst() {
        SecondaryWriteQueue queue = queue();
        SecondaryWrite first = write(MigrationSide.NEW);
        queue.enqueue(first);
        elapse(Duration.ofSeconds(1));
        queue.enqueue(List.of(write(MigrationSide.NEW), write(MigrationSide.NEW)));

        assertThat(queue.claim(1, CLAIM)).extracting(SecondaryWriteEntry::write).containsExactly(first);
        assertThat(queue.claim(5, CLAIM)).hasSize(2);
        assertThat(queue.claim(5, CLAIM)).isEmpty();
    }

    @Test
    void aClaimThatExpiresIsClaimableAgainAndTheOldClaimNoLongerCounts() {
        SecondaryWriteQueue queue = queue();
        queue.enqueue(write(MigrationSide.LEGACY));
        SecondaryWriteEntry first = queue.claim(10, CLAIM).getFirst();

        elapse(CLAIM.plusSeconds(1));

        SecondaryWriteEntry second = queue.claim(10, CLAIM).getFirst();
        assertThat(second.write()).isEqualTo(first.write());
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(queue.complete(first)).as("the expired claim").isFalse();
        assertThat(queue.retryLater(first, Duration.ZERO, "late")).as("the expired claim").isFalse();
        assertThat(queue.backlog().depth()).isEqualTo(1);
        assertThat(queue.complete(second)).isTrue();
        assertThat(queue.backlog().depth()).isZero();
    }

    @Test
    void aClaimFromBeforeTheEntryWasCompletedAndEnqueuedAgainChangesNothing() {
        SecondaryWriteQueue queue = queue();
        SecondaryWrite write = write(MigrationSide.NEW);
        queue.enqueue(write);
        SecondaryWriteEntry stale = queue.claim(10, CLAIM).getFirst();
        elapse(CLAIM.plusSeconds(1));
        queue.complete(queue.claim(10, CLAIM).getFirst());
        queue.enqueue(write);
        SecondaryWriteEntry fresh = queue.claim(10, CLAIM).getFirst();
        assertThat(fresh.attempt()).as("a new entry counts its attempts anew").isEqualTo(stale.attempt());

        assertThat(queue.complete(stale)).isFalse();
        assertThat(queue.retryLater(stale, Duration.ZERO, "late")).isFalse();

        assertThat(queue.backlog().depth()).isEqualTo(1);
        assertThat(queue.complete(fresh)).isTrue();
    }

    @Test
    void completeRemovesTheEntry() {
        SecondaryWriteQueue queue = queue();
        queue.enqueue(List.of(write(MigrationSide.NEW), write(MigrationSide.NEW)));
        List<SecondaryWriteEntry> claimed = queue.claim(10, CLAIM);

        assertThat(queue.complete(claimed.get(0))).isTrue();
        assertThat(queue.complete(claimed.get(0))).as("twice").isFalse();

        assertThat(queue.backlog().depth()).isEqualTo(1);
        elapse(CLAIM.plusSeconds(1));
        assertThat(queue.claim(10, CLAIM)).extracting(SecondaryWriteEntry::write)
                .containsExactly(claimed.get(1).write());
    }

    @Test
    void discardRemovesTheEntriesOfTheseWritesByRecordAndSideWhateverTheirClaim() {
        SecondaryWriteQueue queue = queue();
        SecondaryWrite claimed = write(MigrationSide.LEGACY);
        SecondaryWrite waiting = write(MigrationSide.LEGACY);
        SecondaryWrite kept = write(MigrationSide.LEGACY);
        SecondaryWrite otherSide = new SecondaryWrite(waiting.recordId(), waiting.kind(), MigrationSide.NEW, 3);
        queue.enqueue(claimed);
        SecondaryWriteEntry claim = queue.claim(10, CLAIM).getFirst();
        queue.enqueue(List.of(waiting, kept, otherSide));

        assertThat(queue.discard(List.of(claimed, new SecondaryWrite(waiting.recordId(), waiting.kind(),
                MigrationSide.LEGACY, 9), write(MigrationSide.NEW), claimed)))
                .as("by (record, side), whatever the phase version; keys not queued skipped; each counted once")
                .isEqualTo(2);
        assertThat(queue.discard(List.of())).isZero();

        assertThat(queue.complete(claim)).as("the claim of a discarded entry").isFalse();
        assertThat(queue.backlog().depth()).isEqualTo(2);
        assertThat(queue.claim(10, CLAIM)).extracting(SecondaryWriteEntry::write)
                .containsExactlyInAnyOrder(kept, otherSide);
        assertThat(queue.discard(List.of(kept))).as("a claimed entry too").isEqualTo(1);
        assertThat(queue.backlog().depth()).isEqualTo(1);
        assertThatThrownBy(() -> queue.discard(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void holdsSaysWhetherAWriteOfARecordToASideIsQueuedWhateverItsState() {
        SecondaryWriteQueue queue = queue();
        SecondaryWrite claimed = write(MigrationSide.LEGACY);
        SecondaryWrite retried = write(MigrationSide.NEW);
        queue.enqueue(List.of(claimed, retried));
        queue.retryLater(queue.claim(10, CLAIM).stream().filter(e -> e.write().equals(retried)).findFirst().orElseThrow(),
                Duration.ofMinutes(1), "down");

        assertThat(queue.holds(claimed.recordId(), MigrationSide.LEGACY)).as("claimed").isTrue();
        assertThat(queue.holds(retried.recordId(), MigrationSide.NEW)).as("waiting for a retry").isTrue();
        assertThat(queue.holds(claimed.recordId(), MigrationSide.NEW)).as("the other side").isFalse();
        assertThat(queue.holds(UUID.randomUUID(), MigrationSide.LEGACY)).as("never queued").isFalse();
        queue.discard(List.of(claimed));
        assertThat(queue.holds(claimed.recordId(), MigrationSide.LEGACY)).as("discarded").isFalse();
    }

    @Test
    void holdsAnySaysWhetherAnyWriteToASideIsQueuedWhateverItsState() {
        SecondaryWriteQueue queue = queue();
        assertThat(queue.holdsAny(MigrationSide.NEW)).as("empty").isFalse();
        SecondaryWrite toLegacy = write(MigrationSide.LEGACY);
        queue.enqueue(List.of(toLegacy));

        assertThat(queue.holdsAny(MigrationSide.LEGACY)).isTrue();
        assertThat(queue.holdsAny(MigrationSide.NEW)).as("only the legacy side is owed").isFalse();
        SecondaryWrite toNew = write(MigrationSide.NEW);
        queue.enqueue(List.of(toNew));
        queue.retryLater(queue.claim(10, CLAIM).stream().filter(e -> e.write().equals(toNew)).findFirst().orElseThrow(),
                Duration.ofMinutes(1), "down");
        assertThat(queue.holdsAny(MigrationSide.NEW)).as("waiting for a retry").isTrue();
        queue.discard(List.of(toNew));
        assertThat(queue.holdsAny(MigrationSide.NEW)).as("discarded").isFalse();
        assertThat(queue.holdsAny(MigrationSide.LEGACY)).isTrue();
    }

    @Test
    void anEntryEnqueuedToBeDueLaterIsClaimedOnlyThen() {
        SecondaryWriteQueue queue = queue();
        SecondaryWrite later = write(MigrationSide.LEGACY);
        SecondaryWrite now = write(MigrationSide.NEW);

        assertThat(queue.enqueue(List.of(later), Duration.ofMinutes(2))).isEqualTo(1);
        queue.enqueue(now);

        List<SecondaryWriteEntry> first = queue.claim(10, CLAIM);
        assertThat(first).extracting(SecondaryWriteEntry::write).containsExactly(now);
        assertThat(queue.holds(later.recordId(), MigrationSide.LEGACY)).isTrue();
        assertThat(queue.backlog().depth()).isEqualTo(2);
        queue.complete(first.getFirst());
        elapse(Duration.ofMinutes(2).plusSeconds(1));
        assertThat(queue.claim(10, CLAIM)).extracting(SecondaryWriteEntry::write).containsExactly(later);
        assertThatThrownBy(() -> queue.enqueue(List.of(write(MigrationSide.LEGACY)), Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> queue.enqueue(List.of(write(MigrationSide.LEGACY)), Duration.ofDays(2)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRetryIsDueOnlyAfterItsBackoffAndCarriesTheError() {
        SecondaryWriteQueue queue = queue();
        queue.enqueue(write(MigrationSide.LEGACY));
        SecondaryWriteEntry entry = queue.claim(10, CLAIM).getFirst();

        assertThat(queue.retryLater(entry, Duration.ofSeconds(30), "legacy store: connection refused")).isTrue();

        assertThat(queue.claim(10, CLAIM)).isEmpty();
        elapse(Duration.ofSeconds(29));
        assertThat(queue.claim(10, CLAIM)).isEmpty();
        elapse(Duration.ofSeconds(2));
        assertThat(queue.claim(10, CLAIM)).singleElement().satisfies(again -> {
            assertThat(again.attempt()).isEqualTo(2);
            assertThat(again.lastError()).isEqualTo("legacy store: connection refused");
        });
    }

    @Test
    void aRetryWithoutBackoffIsDueAtOnce() {
        SecondaryWriteQueue queue = queue();
        queue.enqueue(write(MigrationSide.LEGACY));

        queue.retryLater(queue.claim(10, CLAIM).getFirst(), Duration.ZERO, "again");

        assertThat(queue.claim(10, CLAIM)).hasSize(1);
    }

    @Test
    void aLongErrorIsCutAndNulIsReplaced() {
        SecondaryWriteQueue queue = queue();
        queue.enqueue(write(MigrationSide.NEW));

        queue.retryLater(queue.claim(10, CLAIM).getFirst(), Duration.ZERO, "\0" + "é".repeat(5000));

        String kept = queue.claim(10, CLAIM).getFirst().lastError();
        assertThat(kept.codePointCount(0, kept.length())).isEqualTo(SecondaryWriteQueue.MAX_ERROR_LENGTH);
        assertThat(kept).startsWith("\uFFFDé").endsWith("…");
    }

    @Test
    void theBacklogCountsEveryEntryAndNamesTheOldest() {
        SecondaryWriteQueue queue = queue();
        assertThat(queue.backlog()).isEqualTo(SecondaryWriteQueue.Backlog.EMPTY);

        queue.enqueue(write(MigrationSide.NEW));
        elapse(Duration.ofSeconds(10));
        queue.enqueue(List.of(write(MigrationSide.LEGACY), write(MigrationSide.LEGACY)));
        List<SecondaryWriteEntry> all = queue.claim(10, CLAIM);
        SecondaryWriteEntry oldest = all.getFirst();

        assertThat(queue.backlog()).satisfies(backlog -> {
            assertThat(backlog.depth()).isEqualTo(3);
            assertThat(backlog.oldestEnqueuedAt()).contains(oldest.enqueuedAt());
        });
        assertThat(all.get(1).enqueuedAt()).isAfter(oldest.enqueuedAt());

        queue.complete(oldest);
        assertThat(queue.backlog().depth()).isEqualTo(2);
        assertThat(queue.backlog().oldestEnqueuedAt()).contains(all.get(1).enqueuedAt());
    }

    @Test
    void workersRacingForEntriesNeverClaimTheSameOne() throws Exception {
        SecondaryWriteQueue queue = queue();
        int entries = 300;
        queue.enqueue(IntStream.range(0, entries).mapToObj(i -> write(MigrationSide.NEW)).toList());
        int workers = 6;
        Set<UUID> claimed = ConcurrentHashMap.newKeySet();
        List<UUID> duplicates = new ArrayList<>();
        CyclicBarrier start = new CyclicBarrier(workers);
        List<Callable<Void>> racers = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            racers.add(() -> {
                start.await();
                List<SecondaryWriteEntry> batch;
                while (!(batch = queue.claim(7, CLAIM)).isEmpty()) {
                    for (SecondaryWriteEntry entry : batch) {
                        if (!claimed.add(entry.write().recordId())) {
                            synchronized (duplicates) {
                                duplicates.add(entry.write().recordId());
                            }
                        }
                    }
                }
                return null;
            });
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(workers)) {
            for (Future<Void> result : pool.invokeAll(racers)) {
                result.get();
            }
        }

        assertThat(duplicates).isEmpty();
        assertThat(claimed).hasSize(entries);
    }

    @Test
    void refusesBadArguments() {
        SecondaryWriteQueue queue = queue();
        queue.enqueue(write(MigrationSide.NEW));
        SecondaryWriteEntry entry = queue.claim(1, CLAIM).getFirst();

        assertThatThrownBy(() -> queue.claim(0, CLAIM)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 0");
        assertThatThrownBy(() -> queue.claim(SecondaryWriteQueue.MAX_CLAIM + 1, CLAIM))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1001");
        assertThatThrownBy(() -> queue.claim(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT0S");
        assertThatThrownBy(() -> queue.retryLater(entry, Duration.ofSeconds(-1), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> queue.retryLater(entry, Duration.ofDays(2), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT48H");
        assertThatThrownBy(() -> new SecondaryWrite(UUID.randomUUID(), AuditKind.WORKFLOW, MigrationSide.NEW, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 0");
        assertThat(queue.backlog().depth()).as("a refused call changes nothing").isEqualTo(1);
    }
}
