package io.datastorage.core.reconcile;

import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.index.VectorIndex;

import java.time.Clock;

class InMemoryReconcilerTest extends ReconcilerContract {
    @Override
    protected VectorIndex newIndex(int dimension, Clock clock) {
        return new InMemoryVectorIndex(dimension, clock);
    }
}
