package io.datastorage.core.migration;

import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.Route;
import io.datastorage.core.store.StoreUnavailableException;
import io.datastorage.core.store.WriteResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Every phase × secondary policy × secondary mode × failing side (none, the primary, the
 * secondary) × a single record and a batch of 3: what the router answers, then every invariant of
 * both stores and the queue ({@link RouterFixture#checkInvariants}), then, with both sides back,
 * that the queue job makes the stores converge.
 */
class MigrationRouterGridTest {
    enum Failing { NONE, PRIMARY, SECONDARY }

    static Stream<Arguments> grid() {
        List<Arguments> cases = new ArrayList<>();
        for (MigrationPhase phase : MigrationPhase.values()) {
            for (SecondaryPolicy policy : SecondaryPolicy.values()) {
                for (SecondaryMode mode : SecondaryMode.values()) {
                    for (Failing failing : Failing.values()) {
                        for (int size : new int[] {1, 3}) {
                            cases.add(Arguments.of(phase, policy, mode, failing, size));
                        }
                    }
                }
            }
        }
        return cases.stream();
    }

    /** The side that fails: the primary, or the other side (which a single-store phase does not write). */
    private static MigrationSide failingSide(MigrationPhase phase, Failing failing) {
        return failing == Failing.PRIMARY ? phase.primary()
                : phase.primary() == MigrationSide.NEW ? MigrationSide.LEGACY : MigrationSide.NEW;
    }

    /** The exception the write must answer, or null for receipts. */
    private static Class<? extends Throwable> expectedFailure(MigrationPhase phase, SecondaryPolicy policy,
                                                            SecondaryMode mode, Failing failing) {
        if (failing == Failing.PRIMARY) {
            return phase.primary() == MigrationSide.NEW ? StoreUnavailableException.class
                    : LegacyStoreUnavailableException.class;
        }
        if (failing == Failing.SECONDARY && phase.isDualWrite() && mode == SecondaryMode.SYNC
                && policy == SecondaryPolicy.FAIL) {
            return StoreUnavailableException.class; // "nothing was stored"
        }
        return null;
    }

    @ParameterizedTest(name = "{0}, {1}, {2}, failing {3}, {4} record(s)")
    @MethodSource("grid")
    void answersAndLeavesBothStoresAndTheQueueConsistent(MigrationPhase phase, SecondaryPolicy policy,
                                                        SecondaryMode mode, Failing failing, int size) {
        RouterFixture fixture = new RouterFixture(phase);
        MigrationRouter router = fixture.router(RouterFixture.settings(policy, mode));
        PhaseState state = fixture.watcher.current();
        Map<UUID, MigrationPhase> acknowledged = new HashMap<>();
        WriteResult before = router.write(fixture.records(2), null, Deadline.none()); // something already stored
        before.receipts().forEach(r -> acknowledged.put(r.id(), phase));

        if (failing != Failing.NONE) {
            fixture.down(failingSide(phase, failing), true);
        }
        List<NewRecord> records = fixture.records(size);
        Class<? extends Throwable> expected = expectedFailure(phase, policy, mode, failing);
        Throwable thrown = catchThrowable(() -> {
            WriteResult result = router.write(records, null, Deadline.none());
            assertThat(result.route()).isEqualTo(new Route(phase.name(), state.version()));
            assertThat(result.replayed()).isFalse();
            assertThat(result.receipts()).extracting(Receipt::correlationId)
                    .containsExactlyElementsOf(records.stream().map(r -> r.draft().correlationId()).toList());
            result.receipts().forEach(r -> acknowledged.put(r.id(), phase));
        });
        if (expected == null) {
            assertThat(thrown).as("the write is answered with receipts").isNull();
        } else {
            assertThat(thrown).isExactlyInstanceOf(expected);
        }
        fixture.down(MigrationSide.LEGACY, false);
        fixture.down(MigrationSide.NEW, false);
        fixture.checkInvariants(acknowledged);

        fixture.drainQueue();
        acknowledged.forEach((id, ranUnder) -> ranUnder.writesTo().forEach(side ->
                assertThat(fixture.on(side)).as("%s converged on %s", id, side).contains(id)));
        fixture.checkInvariants(acknowledged);
    }
}
