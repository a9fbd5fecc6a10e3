package io.datastorage.core.config;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigChecksTest {
    private static final Pattern WRITTEN = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Map<String, Duration> UNITS = Map.of("ms", Duration.ofMillis(1), "s", Duration.ofSeconds(1),
            "m", Duration.ofMinutes(1), "h", Duration.ofHours(1), "d", Duration.ofDays(1));

    @Test
    void aValueOutOfRangeNamesTheSettingWhatIsAllowedAndTheValue() {
        assertThatThrownBy(() -> ConfigChecks.range("pool-size", 0, 1, 500))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("pool-size must be 1..500, was 0");
        assertThatThrownBy(() -> ConfigChecks.range("timeout", Duration.ofSeconds(20), Duration.ofMillis(1),
                Duration.ofSeconds(10)))
                .hasMessage("timeout must be 1ms..10s, was 20s");
        assertThatThrownBy(() -> ConfigChecks.range("timeout", null, Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessage("timeout must be 0s..1s, was empty");
        assertThatThrownBy(() -> ConfigChecks.required("model", " "))
                .hasMessage("model must be set, was empty");
    }

    @Test
    void theMapperPutsThePropertyPrefixAndAConditionInFront() {
        InvalidConfigException e = new InvalidConfigException("base-url", "must be set", "empty");

        assertThat(e.under("datastorage.embedding.openai.").when("datastorage.embedding.provider is openai"))
                .hasMessage("datastorage.embedding.openai.base-url must be set when datastorage.embedding.provider "
                        + "is openai, was empty")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"PT0S, 0s", "PT0.25S, 250ms", "PT5M, 5m", "PT2H, 2h", "P7D, 7d", "PT90S, 90s", "PT1.5S, 1500ms"})
    void printsADurationInTheLargestUnitThatShowsItExactly(Duration duration, String printed) {
        assertThat(ConfigChecks.print(duration)).isEqualTo(printed);
    }

    /** What is printed is what an operator would write for the same duration. */
    @Property(tries = 2000)
    void everyPrintedDurationReadsBackAsItself(@ForAll @LongRange(min = 0, max = 30L * 24 * 3600 * 1000) long millis) {
        Duration duration = Duration.ofMillis(millis);
        Matcher written = WRITTEN.matcher(ConfigChecks.print(duration));

        assertThat(written.matches()).isTrue();
        assertThat(UNITS.get(written.group(2)).multipliedBy(Long.parseLong(written.group(1)))).isEqualTo(duration);
    }

    @Property(tries = 1000)
    void acceptsExactlyTheValuesInRange(@ForAll int value, @ForAll int a, @ForAll int b) {
        int min = Math.min(a, b);
        int max = Math.max(a, b);
        boolean inRange = value >= min && value <= max;
        try {
            assertThat(ConfigChecks.range("n", value, min, max)).isEqualTo(value);
            assertThat(inRange).isTrue();
        } catch (InvalidConfigException e) {
            assertThat(inRange).isFalse();
            assertThat(e.was()).isEqualTo(String.valueOf(value));
        }
    }
}
