package io.datastorage.index.lucene;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import static io.datastorage.core.config.ConfigChecks.range;

/**
 * Where the embedded Lucene index lives and how often it is made durable. Immutable; a bad value
 * is an {@link io.datastorage.core.config.InvalidConfigException} naming the setting as below.
 *
 * @param directory      the index's directory (created when missing)
 * @param dimension      length of every vector, 1..4096
 * @param commitInterval {@code commit-interval}: how often index changes are made durable, 100ms..10m;
 *                       what a crash loses since the last commit is replayed from PostgreSQL
 */
public record LuceneIndexConfig(Path directory, int dimension, Duration commitInterval) {

    public LuceneIndexConfig {
        Objects.requireNonNull(directory, "directory");
        range("dimension", dimension, 1, 4096);
        range("commit-interval", commitInterval, Duration.ofMillis(100), Duration.ofMinutes(10));
    }

    /** Opens (or creates) the index as configured here; see {@link LuceneVectorIndex#open}. */
    public LuceneVectorIndex open() {
        return LuceneVectorIndex.open(directory, dimension, commitInterval);
    }
}
