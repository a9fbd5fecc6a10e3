package io.datastorage.index.lucene;

import io.datastorage.core.dualwrite.DualWriteCoordinatorContract;
import io.datastorage.core.index.VectorIndex;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

/** The dual-write scenarios over the embedded Lucene index. */
class LuceneDualWriteTest extends DualWriteCoordinatorContract {
    @TempDir
    Path dir;

    @Override
    protected VectorIndex newIndex(int dimension) {
        return LuceneVectorIndex.open(dir.resolve("index"), dimension, Duration.ofSeconds(5));
    }
}
