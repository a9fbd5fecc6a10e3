package io.datastorage.core.dualwrite;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;
import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.index.IndexUnavailableException;
import io.datastorage.core.index.SwitchableIndex;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the guard retries and what it counts against the index is asked of the failure's branch. */
class GuardedIndexTest {
    private final SwitchableIndex index = new SwitchableIndex(new InMemoryVectorIndex(3));
    private final GuardedIndex guarded = GuardedIndex.of(index, 3, Duration.ofMillis(1), Duration.ofSeconds(30));

    /** A failure of the index that the same call meets again. */
    static final class IndexRefusedException extends PermanentException {
        IndexRefusedException() {
            super(Component.VECTOR_INDEX, "vector index: refuses the entries (test)", null);
        }
    }

    @Test
    void retriesATransientFailureAndOpensTheBreakerWhenItPersists() {
        index.down(true);

        assertThatThrownBy(() -> guarded.upsert(List.of())).isInstanceOf(IndexUnavailableException.class);
        assertThat(index.upserts()).isEqualTo(3);
        // Five failed attempts of five open the breaker, in the middle of the second call's retries.
        assertThatThrownBy(() -> guarded.upsert(List.of())).isInstanceOf(IndexUnavailableException.class);
        assertThat(index.upserts()).isEqualTo(5);

        assertThatThrownBy(() -> guarded.upsert(List.of()))
                .isInstanceOf(IndexUnavailableException.class)
                .hasMessage("vector index: circuit breaker open after recent failures; a probe call goes through "
                        + "at most 30 s after it opened");
        assertThat(index.upserts()).isEqualTo(5);
    }

    @Test
    void aPermanentFailureIsNeitherRetriedNorCountedAgainstTheIndex() {
        index.duringUpsert(() -> {
            throw new IndexRefusedException();
        });

        for (int call = 1; call <= 10; call++) {
            assertThatThrownBy(() -> guarded.upsert(List.of())).isInstanceOf(IndexRefusedException.class);
            assertThat(index.upserts()).isEqualTo(call);
        }
        index.duringUpsert(() -> { });
        guarded.upsert(List.of());
        assertThat(index.upserts()).isEqualTo(11);
    }
}
