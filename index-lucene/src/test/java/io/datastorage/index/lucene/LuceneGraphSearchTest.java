package io.datastorage.index.lucene;

import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.index.VectorIndexContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The contract again with every search through the HNSW graph: the contract's indexes are small
 * enough to be searched by the exact scan otherwise, and large indexes use the graph.
 */
class LuceneGraphSearchTest extends VectorIndexContract {
    @TempDir
    Path dir;

    @Override
    protected VectorIndex newIndex(int dimension) {
        return LuceneVectorIndex.open(dir.resolve("graph"), dimension, Duration.ofSeconds(5), Clock.systemUTC(), 0);
    }
}
