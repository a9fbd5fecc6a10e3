package io.datastorage.core.store;

import java.util.Objects;

/**
 * The migration phase a write ran under, as its answer reports it (the HTTP edge sets the header
 * {@code Migration-Phase: <phase>; version=<n>} from it). A plain name and number, so that the
 * store package does not depend on the migration package.
 *
 * @param phase   the name of the {@code io.datastorage.core.migration.MigrationPhase}
 * @param version the phase's version, at least 1
 */
public record Route(String phase, long version) {
    public Route {
        Objects.requireNonNull(phase, "phase");
        if (version < 1) {
            throw new IllegalArgumentException("a phase version starts at 1, was " + version);
        }
    }

    /** The header value: {@code <phase>; version=<n>}. */
    public String headerValue() {
        return phase + "; version=" + version;
    }
}
