package io.datastorage.cache.redis;

import io.datastorage.core.config.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisCacheConfigTest {

    @Test
    void refusesAnotherSchemeWithoutEchoingThePassword() {
        assertThatThrownBy(() -> new RedisCacheConfig("memcached://:hunter2@cache:11211", Duration.ofMinutes(5),
                Duration.ofMillis(100)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("url must be a redis:// or rediss:// URL, was '")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void checksItsTimingsEvenWithoutAUrl() {
        assertThatThrownBy(() -> new RedisCacheConfig(null, Duration.ofMinutes(5), Duration.ofSeconds(20)))
                .hasMessage("timeout must be 1ms..10s, was 20s");
        assertThatThrownBy(() -> new RedisCacheConfig(null, Duration.ZERO, Duration.ofMillis(100)))
                .hasMessage("ttl must be 1s..7d, was 0s");
        assertThatThrownBy(() -> new RedisCacheConfig(null, Duration.ofMinutes(5), Duration.ofMillis(100)).connect())
                .hasMessage("url must be set, was empty");
    }

    @Test
    void neverPrintsThePassword() {
        assertThat(new RedisCacheConfig("redis://:hunter2@cache:6379", Duration.ofMinutes(5), Duration.ofMillis(100))
                .toString()).doesNotContain("hunter2");
    }
}
