package io.datastorage.index.lucene;

import io.datastorage.core.config.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LuceneIndexConfigTest {

    @Test
    void refusesACommitIntervalOutOfRange() {
        assertThatThrownBy(() -> new LuceneIndexConfig(Path.of("index"), 384, Duration.ofMinutes(20)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("commit-interval must be 100ms..10m, was 20m");
    }

    @Test
    void opensTheIndexItDescribes(@TempDir Path dir) {
        try (LuceneVectorIndex index = new LuceneIndexConfig(dir.resolve("index"), 8, Duration.ofSeconds(5)).open()) {
            assertThat(index.dimension()).isEqualTo(8);
            assertThat(index.count()).isZero();
        }
    }
}
