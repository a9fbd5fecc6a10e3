package io.datastorage.server.config;

import java.time.Duration;

/**
 * Published when the embedded PostgreSQL accepts connections again after it died. Writes in flight
 * at the moment it died may have committed without their answer (the connection broke during the
 * commit), so whatever keeps a copy derived from PostgreSQL should check it now.
 *
 * @param downtime from the moment the death was noticed to the moment the server accepted connections
 */
public record DatabaseRecovered(Duration downtime) {
}
