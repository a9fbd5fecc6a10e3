package io.datastorage.auth.kubernetes;

import io.datastorage.core.config.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cache bounds the issue sets cannot be configured past. */
class ReviewSettingsTest {

    @Test
    void theDefaultsAreTheIssuesBounds() {
        ReviewSettings settings = ReviewSettings.of("datastorage");
        assertThat(settings.allowTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.denyTtl()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void allowsCannotBeCachedLongerThanSixtySeconds() {
        assertThatThrownBy(() -> new ReviewSettings("datastorage", Duration.ofSeconds(61), Duration.ofSeconds(2), 10))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("allow-ttl must be 1ms..1m, was 61s");
    }

    @Test
    void denialsCannotBeCachedLongerThanTwoSeconds() {
        assertThatThrownBy(() -> new ReviewSettings("datastorage", Duration.ofSeconds(60), Duration.ofMillis(2001), 10))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("deny-ttl must be 0s..2s, was 2001ms");
    }

    @Test
    void theAudienceMustBeSet() {
        assertThatThrownBy(() -> ReviewSettings.of(" "))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("audience must be set, was empty");
    }

    @Test
    void theApiServerTimeoutIsBounded() {
        assertThatThrownBy(() -> ApiServerConnection.autoConfigured(Duration.ofMinutes(6)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("timeout must be 100ms..5m, was 6m");
    }
}
