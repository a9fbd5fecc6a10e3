package io.datastorage.core.reconcile;

import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.index.VectorIndex;

class InMemoryReconcilerTest extends ReconcilerContract {
    @Override
    protected VectorIndex newIndex(int dimension) {
        return new InMemoryVectorIndex(dimension);
    }
}
