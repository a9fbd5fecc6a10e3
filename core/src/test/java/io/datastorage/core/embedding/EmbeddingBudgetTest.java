package io.datastorage.core.embedding;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedder's share of a write's remaining time: all but the smaller of 10 s and a third. */
class EmbeddingBudgetTest {

    @ParameterizedTest(name = "{0} left: {1} for the embedder")
    @CsvSource({"PT30S, PT20S", "PT60S, PT50S", "PT3S, PT2S", "PT0.3S, PT0.2S", "PT0S, PT0S"})
    void keepsAReserveForTheDatabaseWrite(Duration remaining, Duration budget) {
        assertThat(RecordEmbedder.embeddingBudget(remaining)).isEqualTo(budget);
    }
}
