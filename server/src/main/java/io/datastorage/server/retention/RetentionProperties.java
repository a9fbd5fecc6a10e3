package io.datastorage.server.retention;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.config.ConfigChecks;
import io.datastorage.core.config.InvalidConfigException;
import io.datastorage.core.retention.RetentionPeriods;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code datastorage.retention.*} settings (documented in docs/configuration.md), bound here
 * rather than in {@link io.datastorage.server.config.DatastorageProperties} so that retention's
 * settings live with it; checked the same way: a bad value stops start-up naming the property, the
 * value and what is allowed.
 *
 * @param periods  how long each kind is kept, by kind path name
 *                 ({@code datastorage.retention.periods.remediation=400d}, or
 *                 {@code DATASTORAGE_RETENTION_PERIODS_REMEDIATION=400d}); a kind absent is kept
 *                 forever (the default for every kind)
 * @param interval how often the retention job runs
 */
@ConfigurationProperties("datastorage.retention")
public record RetentionProperties(Map<String, Duration> periods, @DefaultValue("1h") Duration interval) {
    static final String PREFIX = "datastorage.retention.";

    public RetentionProperties {
        periods = periods == null ? Map.of() : Map.copyOf(periods);
        ConfigChecks.range(PREFIX + "interval", interval, Duration.ofMinutes(1), Duration.ofDays(7));
        policy(periods);
    }

    /** The periods by kind. */
    public RetentionPeriods policy() {
        return policy(periods);
    }

    private static RetentionPeriods policy(Map<String, Duration> periods) {
        String kinds = Arrays.stream(AuditKind.values()).map(AuditKind::pathName).collect(Collectors.joining(", "));
        Map<AuditKind, Duration> byKind = new EnumMap<>(AuditKind.class);
        periods.forEach((name, period) -> {
            String property = PREFIX + "periods." + name;
            AuditKind kind = AuditKind.fromPathName(name).orElseThrow(() -> new InvalidConfigException(property,
                    "names no kind: the kinds are " + kinds, "'" + name + "'"));
            if (period == null || period.isZero() || period.isNegative()) {
                throw new InvalidConfigException(property, "must be a duration of more than zero (e.g. 400d); "
                        + "leave it unset to keep " + name + " records forever",
                        period == null ? "empty" : ConfigChecks.print(period));
            }
            byKind.put(kind, period);
        });
        return new RetentionPeriods(byKind);
    }
}
