package io.datastorage.server.config;

import io.datastorage.core.config.InvalidConfigException;
import org.springframework.util.unit.DataSize;

import java.util.function.Supplier;

/**
 * How {@link DatastorageProperties} checks settings. Modules check their own config records and
 * name their settings relative to themselves ({@code pool-size}); {@link #under} puts the property
 * prefix in front, so the failure names the property as it is written in configuration, with the
 * value and what is allowed, and Spring Boot's start-up failure report prints it as is. (Bean
 * Validation would report the Java field name and the converted value instead, which is not what
 * an operator typed.) The server's own settings use
 * {@link io.datastorage.core.config.ConfigChecks} with the whole property name.
 */
final class Settings {
    private Settings() {
    }

    /** Builds a module's config; a failure names the setting under {@code prefix}. */
    static <T> T under(String prefix, Supplier<T> config) {
        try {
            return config.get();
        } catch (InvalidConfigException e) {
            throw e.under(prefix);
        }
    }

    static DataSize range(String property, DataSize value, DataSize min, DataSize max) {
        if (value == null || value.toBytes() < min.toBytes() || value.toBytes() > max.toBytes()) {
            throw new InvalidConfigException(property, "must be " + min.toKilobytes() + "KB.." + max.toMegabytes() + "MB",
                    value == null ? "empty" : value.toBytes() + "B");
        }
        return value;
    }
}
