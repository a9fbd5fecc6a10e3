package io.datastorage.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Durations on the command line are written as the service's settings are. */
class DurationsTest {
    private final Durations durations = new Durations();

    @Test
    void readsMillisecondsSecondsMinutesAndHours() {
        assertThat(durations.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(durations.convert("60s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(durations.convert("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(durations.convert("1H")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void rejectsAnythingElseSayingWhatItExpects() {
        for (String bad : new String[]{"60", "PT60S", "-5s", "1.5m", "s"}) {
            assertThatThrownBy(() -> durations.convert(bad)).isInstanceOf(CommandLine.TypeConversionException.class)
                    .hasMessageContaining("such as 500ms, 60s");
        }
    }
}
