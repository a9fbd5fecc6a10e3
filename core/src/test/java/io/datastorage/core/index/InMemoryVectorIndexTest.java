package io.datastorage.core.index;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryVectorIndexTest extends VectorIndexContract {

    @Override
    protected VectorIndex newIndex(int dimension) {
        return new InMemoryVectorIndex(dimension);
    }

    @Test
    void switchedDownItRefusesCallsAndSaysSo() {
        InMemoryVectorIndex fake = new InMemoryVectorIndex(DIMENSION).down(true);

        assertThat(fake.health().up()).isFalse();
        assertThatThrownBy(() -> fake.upsert(List.of(entry(randomUnitVector()))))
                .isInstanceOf(IndexUnavailableException.class);
        assertThatThrownBy(fake::count).isInstanceOf(IndexUnavailableException.class);

        fake.down(false);
        assertThat(fake.count()).isZero();
    }
}
