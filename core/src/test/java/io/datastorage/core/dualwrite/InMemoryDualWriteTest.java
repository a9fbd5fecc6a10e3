package io.datastorage.core.dualwrite;

import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.index.VectorIndex;

class InMemoryDualWriteTest extends DualWriteCoordinatorContract {
    @Override
    protected VectorIndex newIndex(int dimension) {
        return new InMemoryVectorIndex(dimension);
    }
}
