package io.datastorage.index.lucene;

import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.reconcile.ReconcilerContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** Reconciliation over the embedded Lucene index, its digests read from doc values. */
class LuceneReconcilerTest extends ReconcilerContract {
    @TempDir
    Path dir;

    @Override
    protected VectorIndex newIndex(int dimension, Clock clock) {
        return LuceneVectorIndex.open(dir.resolve("index"), dimension, Duration.ofSeconds(5), clock);
    }
}
