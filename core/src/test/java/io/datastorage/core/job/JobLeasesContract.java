package io.datastorage.core.job;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@link JobLeases} promises, for every implementation. */
public abstract class JobLeasesContract {
    private static final Duration LEASE = Duration.ofSeconds(30);

    /** Empty leases. */
    protected abstract JobLeases leases();

    /** Lets {@code time} pass on the clock the leases are judged by. */
    protected abstract void elapse(Duration time);

    @Test
    void aFreeLeaseIsTakenAndThenHeldByItsHolderAlone() {
        JobLeases leases = leases();

        assertThat(leases.acquire("index-repair", "a", LEASE)).isTrue();

        assertThat(leases.acquire("index-repair", "b", LEASE)).isFalse();
        assertThat(leases.acquire("index-repair", "a", LEASE)).as("the holder renews").isTrue();
        assertThat(leases.acquire("index-repair", "b", LEASE)).isFalse();
    }

    @Test
    void leasesOnDifferentJobsAreIndependent() {
        JobLeases leases = leases();

        assertThat(leases.acquire("index-repair", "a", LEASE)).isTrue();

        assertThat(leases.acquire("reconcile", "b", LEASE)).isTrue();
        assertThat(leases.acquire("reconcile", "a", LEASE)).isFalse();
    }

    @Test
    void aLeaseNotYetEndedIsNotTakenOver() {
        JobLeases leases = leases();
        leases.acquire("catch-up", "a", LEASE);

        elapse(LEASE.minusSeconds(1));

        assertThat(leases.acquire("catch-up", "b", LEASE)).isFalse();
    }

    @Test
    void anExpiredLeaseIsTakenOverAndItsFormerHolderIsRefused() {
        JobLeases leases = leases();
        leases.acquire("catch-up", "a", LEASE);

        elapse(LEASE.plusSeconds(1));

        assertThat(leases.acquire("catch-up", "b", LEASE)).isTrue();
        assertThat(leases.acquire("catch-up", "a", LEASE)).as("the former holder cannot renew").isFalse();
    }

    @Test
    void aRenewalCountsTheDurationFromTheRenewal() {
        JobLeases leases = leases();
        leases.acquire("reconcile", "a", LEASE);
        elapse(LEASE.minusSeconds(5));
        assertThat(leases.acquire("reconcile", "a", LEASE)).isTrue();

        elapse(Duration.ofSeconds(10)); // past the first term, within the renewed one

        assertThat(leases.acquire("reconcile", "b", LEASE)).isFalse();
        elapse(LEASE);
        assertThat(leases.acquire("reconcile", "b", LEASE)).isTrue();
    }

    @Test
    void aReleasedLeaseIsFreeAtOnce() {
        JobLeases leases = leases();
        leases.acquire("embedding-repair", "a", LEASE);

        leases.release("embedding-repair", "a");

        assertThat(leases.acquire("embedding-repair", "b", LEASE)).isTrue();
    }

    @Test
    void onlyTheHolderCanReleaseALease() {
        JobLeases leases = leases();
        leases.acquire("embedding-repair", "a", LEASE);

        leases.release("embedding-repair", "b");
        leases.release("reconcile", "a"); // a lease nobody has: nothing happens

        assertThat(leases.acquire("embedding-repair", "b", LEASE)).isFalse();
        assertThat(leases.acquire("embedding-repair", "a", LEASE)).isTrue();
    }

    @Test
    void ofHoldersRacingForAFreeLeaseExactlyOneGetsIt() throws Exception {
        JobLeases leases = leases();
        int holders = 8;
        for (int round = 0; round < 20; round++) {
            String job = "race-" + "x".repeat(round + 1);
            CyclicBarrier start = new CyclicBarrier(holders);
            List<Callable<Boolean>> racers = new ArrayList<>();
            for (int h = 0; h < holders; h++) {
                String holder = "holder-" + h;
                racers.add(() -> {
                    start.await();
                    return leases.acquire(job, holder, LEASE);
                });
            }
            try (ExecutorService pool = Executors.newFixedThreadPool(holders)) {
                long winners = 0;
                for (Future<Boolean> result : pool.invokeAll(racers)) {
                    winners += result.get() ? 1 : 0;
                }
                assertThat(winners).as("round %d", round).isEqualTo(1);
            }
        }
    }

    @Test
    void refusesBadArguments() {
        JobLeases leases = leases();

        assertThatThrownBy(() -> leases.acquire("Index Repair", "a", LEASE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Index Repair");
        assertThatThrownBy(() -> leases.acquire("reconcile", "", LEASE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holder");
        assertThatThrownBy(() -> leases.acquire("reconcile", "a", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
    }
}
